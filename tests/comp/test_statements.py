"""Statements: content, drill-down, visibility, acknowledgement, PDF and list."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from openspm.comp.models import (
    Adjustment,
    CalcRun,
    Dispute,
    EarningLine,
    StatementAcknowledgement,
)
from openspm.comp.selectors import statements as selectors
from openspm.comp.selectors import trace as trace_selectors
from openspm.comp.services import calc
from openspm.comp.services import statements as services
from openspm.comp.services.statements import StatementNotPublished
from openspm.core.errors import NotFound, PermissionDenied
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.factories import World

PERIOD = "2026-Q1"


def run_quarter(world: World, period: str = PERIOD) -> CalcRun:
    run = calc.request_run(actor=world.users["compadmin"], period_key=period)
    run = calc.execute_run(run_id=run.pk)
    assert run.status == CalcRun.Status.SUCCEEDED, run.error
    return run


def publish(run: CalcRun) -> CalcRun:
    """Approve a run outright (the approval workflow is tested with its own service)."""
    CalcRun.objects.filter(pk=run.pk).update(
        approval=CalcRun.Approval.APPROVED, published_at=timezone.now()
    )
    run.refresh_from_db()
    return run


@pytest.fixture
def published(world: World) -> CalcRun:
    publish_ae_plan(world)
    glossary_quarter(world)
    return publish(run_quarter(world))


def url(world: World, name: str = "rep1", view: str = "comp:statement") -> str:
    return reverse(view, args=[world.people[name].pk, PERIOD])


def client_as(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


@pytest.mark.django_db
class TestStatementContent:
    def test_shows_attainment_earnings_by_component_and_payout(
        self, world: World, published: CalcRun
    ) -> None:
        statement = selectors.get_statement(
            viewer=world.users["rep1"], person_id=world.people["rep1"].pk, period_key=PERIOD
        )
        assert statement.run == published
        assert not statement.is_preliminary
        # One line per accumulation the plan uses (the period's own, and quarter to date).
        assert {(m.measure_id, m.attainment) for m in statement.measures} == {
            ("bookings", Decimal("1.25"))
        }
        [group] = statement.components
        assert (group.plan_code, group.component_id) == ("ae", "commission")
        assert group.totals == [selectors.Money(Decimal("16000.00"), "USD")]
        assert statement.payout_totals == [selectors.Money(Decimal("16000.00"), "USD")]
        # Deal lines are summed per tier: D1 and D2's slice below quota, then D2's above it.
        assert [(line.tier, line.line_count, line.amount) for line in group.lines] == [
            ("1", 2, Decimal("10000.00")),
            ("2", 1, Decimal("6000.00")),
        ]

    def test_page_prints_the_payout_and_links_each_line(
        self, world: World, published: CalcRun
    ) -> None:
        response = client_as(world, "rep1").get(url(world))
        assert response.status_code == 200
        html = response.content.decode()
        assert "16,000.00 USD" in html
        lines = EarningLine.objects.filter(run=published, person=world.people["rep1"])
        for line in lines:
            assert reverse("comp:statement_line", args=[line.pk]) in html
            assert f"/comp/disputes/new/?earning_line={line.pk}" in html
        assert "Preliminary" not in html

    def test_approved_adjustments_count_and_pending_ones_are_marked(
        self, world: World, published: CalcRun
    ) -> None:
        period = published.period
        common = {
            "person": world.people["rep1"],
            "period": period,
            "currency": "USD",
            "reason_code": Adjustment.Reason.MANUAL_BONUS,
        }
        Adjustment.objects.create(
            **common, amount=Decimal("500"), description="Q1 push", status="approved"
        )
        Adjustment.objects.create(**common, amount=Decimal("70"), description="Maybe")
        Adjustment.objects.create(
            **common, amount=Decimal("9"), description="No", status="rejected"
        )
        statement = selectors.get_statement(
            viewer=world.users["rep1"], person_id=world.people["rep1"].pk, period_key=PERIOD
        )
        assert [a.description for a in statement.adjustments] == ["Q1 push", "Maybe"]
        assert statement.total_due == [selectors.Money(Decimal("16500.00"), "USD")]
        html = client_as(world, "rep1").get(url(world)).content.decode()
        assert 'data-testid="adjustment-pending"' in html
        assert "16,500.00 USD" in html

    def test_lists_the_periods_disputes_of_that_payee(
        self, world: World, published: CalcRun
    ) -> None:
        line = EarningLine.objects.filter(run=published, person=world.people["rep1"]).first()
        for name in ("rep1", "rep2"):
            Dispute.objects.create(
                person=world.people[name],
                period=published.period,
                run=published,
                earning_line=line if name == "rep1" else None,
                category="wrong_rate",
                subject=f"Rate for {name}",
                body="?",
                opened_by=world.users[name],
                due_at=timezone.now(),
            )
        statement = selectors.get_statement(
            viewer=world.users["manager1"], person_id=world.people["rep1"].pk, period_key=PERIOD
        )
        assert [d.subject for d in statement.disputes] == ["Rate for rep1"]


@pytest.mark.django_db
class TestPreliminary:
    def test_admins_preview_the_latest_succeeded_run_marked_preliminary(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        run_quarter(world)
        response = client_as(world, "compadmin").get(url(world))
        assert response.status_code == 200
        assert response.context["statement"].is_preliminary
        assert 'data-testid="preliminary"' in response.content.decode()

    @pytest.mark.parametrize("name", ["rep1", "manager1"])
    def test_reps_and_managers_see_nothing_before_publication(
        self, world: World, name: str
    ) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        run_quarter(world)
        assert client_as(world, name).get(url(world)).status_code == 404


@pytest.mark.django_db
class TestVisibility:
    @pytest.mark.parametrize(
        ("viewer", "status"),
        [
            ("rep1", 200),
            ("rep2", 404),
            ("manager1", 200),
            ("manager2", 404),
            ("vp", 200),
            ("finance", 200),
            ("compadmin", 200),
            ("admin", 200),
            ("partner", 403),
        ],
    )
    def test_who_sees_rep1s_statement(
        self, world: World, published: CalcRun, viewer: str, status: int
    ) -> None:
        response = client_as(world, viewer).get(url(world))
        assert response.status_code == status
        if status == 404:
            assert "16,000.00" not in response.content.decode()

    def test_unknown_period_and_person_are_not_found(
        self, world: World, published: CalcRun
    ) -> None:
        admin = client_as(world, "admin")
        assert admin.get(reverse("comp:statement", args=[999_999, PERIOD])).status_code == 404
        rep1 = world.people["rep1"].pk
        assert admin.get(reverse("comp:statement", args=[rep1, "2031-Q1"])).status_code == 404
        assert admin.get(reverse("comp:statement", args=[rep1, "2026-Q2"])).status_code == 404

    def test_anonymous_is_sent_to_login(self, world: World, published: CalcRun) -> None:
        response = Client().get(url(world))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
class TestDrillDown:
    def test_a_tier_line_traces_to_its_deals_transactions_and_rule(
        self, world: World, published: CalcRun
    ) -> None:
        line = EarningLine.objects.get(run=published, person=world.people["rep1"], tier="2")
        trace = trace_selectors.get_line_trace(viewer=world.users["rep1"], line_id=line.pk)
        assert [t.external_id for t in trace.transactions] == ["D2"]
        assert [(c.transaction_ref, c.credit_reason) for c in trace.credits] == [("D2", "owner")]
        assert [(d.transaction_ref, d.basis_to_date, d.amount) for d in trace.deals] == [
            ("D2", Decimal("250000"), Decimal("6000"))
        ]
        assert trace.plan_version_id is not None
        assert (line.rate, line.attainment is not None) == (Decimal("0.12"), True)

    def test_a_line_summing_two_deals_shows_both_slices(
        self, world: World, published: CalcRun
    ) -> None:
        line = EarningLine.objects.get(run=published, person=world.people["rep1"], tier="1")
        trace = trace_selectors.get_line_trace(viewer=world.users["rep1"], line_id=line.pk)
        # D1 150,000 at 5 %, and the 50,000 of D2 below the 200,000 quota at 5 %.
        assert [(d.transaction_ref, d.measure_value, d.amount) for d in trace.deals] == [
            ("D1", Decimal("150000"), Decimal("7500")),
            ("D2", Decimal("100000"), Decimal("2500")),
        ]
        assert sum(d.amount for d in trace.deals) == line.amount
        assert [t.external_id for t in trace.transactions] == ["D1", "D2"]
        assert (trace.deal_count, trace.deals_cut) == (2, False)

    def test_a_long_line_shows_its_first_deals_and_says_how_many(
        self, world: World, published: CalcRun
    ) -> None:
        line = EarningLine.objects.get(run=published, person=world.people["rep1"], tier="1")
        trace = trace_selectors.get_line_trace(viewer=world.users["rep1"], line_id=line.pk, limit=1)
        assert [d.transaction_ref for d in trace.deals] == ["D1"]
        assert (trace.deal_count, trace.deals_cut) == (2, True)
        assert [c.transaction_ref for c in trace.credits] == ["D1"]

    def test_htmx_gets_the_partial_with_transaction_rule_and_plan_link(
        self, world: World, published: CalcRun
    ) -> None:
        line = EarningLine.objects.get(run=published, person=world.people["rep1"], tier="2")
        response = client_as(world, "rep1").get(
            reverse("comp:statement_line", args=[line.pk]), headers={"HX-Request": "true"}
        )
        assert response.status_code == 200
        assert next(t.name for t in response.templates) == "comp/statements/_line.html"
        html = response.content.decode()
        assert "D2" in html
        assert "owner" in html
        assert "0.12" in html
        version_id = response.context["trace"].plan_version_id
        assert reverse("plans:version", args=[version_id]) in html
        assert f"?earning_line={line.pk}" in html

    def test_the_partial_lists_a_lines_deals(self, world: World, published: CalcRun) -> None:
        line = EarningLine.objects.get(run=published, person=world.people["rep1"], tier="1")
        response = client_as(world, "rep1").get(
            reverse("comp:statement_line", args=[line.pk]), headers={"HX-Request": "true"}
        )
        html = response.content.decode()
        assert html.count('data-testid="deal-line"') == 2
        assert "The sum of 2 deal lines." in html
        assert "7,500.00 USD" in html
        assert "2,500.00 USD" in html

    def test_the_statement_says_how_many_deals_a_line_sums(
        self, world: World, published: CalcRun
    ) -> None:
        html = client_as(world, "rep1").get(url(world)).content.decode()
        assert '<span data-testid="deal-count">2 deals</span>' in html
        assert '<span data-testid="deal-count">1 deal</span>' in html

    def test_without_htmx_a_full_page(self, world: World, published: CalcRun) -> None:
        line = EarningLine.objects.filter(run=published, person=world.people["rep1"]).first()
        assert line is not None
        response = client_as(world, "rep1").get(reverse("comp:statement_line", args=[line.pk]))
        assert "comp/statements/line.html" in [t.name for t in response.templates]

    @pytest.mark.parametrize("viewer", ["rep2", "manager2"])
    def test_another_payees_line_is_not_found(
        self, world: World, published: CalcRun, viewer: str
    ) -> None:
        line = EarningLine.objects.filter(run=published, person=world.people["rep1"]).first()
        assert line is not None
        response = client_as(world, viewer).get(reverse("comp:statement_line", args=[line.pk]))
        assert response.status_code == 404

    def test_a_line_of_an_unpublished_run_is_not_found_for_the_rep(
        self, world: World, published: CalcRun
    ) -> None:
        newer = run_quarter(world)
        line = EarningLine.objects.filter(run=newer, person=world.people["rep1"]).first()
        assert line is not None
        with pytest.raises(NotFound):
            trace_selectors.get_line_trace(viewer=world.users["rep1"], line_id=line.pk)
        assert trace_selectors.get_line_trace(viewer=world.users["finance"], line_id=line.pk)


@pytest.mark.django_db
class TestAcknowledge:
    def test_the_payee_acknowledges_once(self, world: World, published: CalcRun) -> None:
        client = client_as(world, "rep1")
        ack_url = url(world, view="comp:statement_acknowledge")
        assert client.post(ack_url).status_code == 302
        assert client.post(ack_url).status_code == 302
        [ack] = StatementAcknowledgement.objects.all()
        assert (ack.person, ack.run) == (world.people["rep1"], published)
        html = client.get(url(world)).content.decode()
        assert 'data-testid="acknowledged"' in html
        assert 'data-testid="acknowledge"' not in html

    def test_the_service_is_idempotent(self, world: World, published: CalcRun) -> None:
        first = services.acknowledge_statement(
            actor=world.users["rep1"], person_id=world.people["rep1"].pk, period_key=PERIOD
        )
        again = services.acknowledge_statement(
            actor=world.users["rep1"], person_id=world.people["rep1"].pk, period_key=PERIOD
        )
        assert first.pk == again.pk

    def test_the_manager_may_not_acknowledge_for_the_rep(
        self, world: World, published: CalcRun
    ) -> None:
        with pytest.raises(PermissionDenied):
            services.acknowledge_statement(
                actor=world.users["manager1"],
                person_id=world.people["rep1"].pk,
                period_key=PERIOD,
            )
        response = client_as(world, "manager1").post(url(world, view="comp:statement_acknowledge"))
        assert response.status_code == 403
        assert not StatementAcknowledgement.objects.exists()

    def test_another_rep_gets_not_found(self, world: World, published: CalcRun) -> None:
        response = client_as(world, "rep2").post(url(world, view="comp:statement_acknowledge"))
        assert response.status_code == 404
        assert not StatementAcknowledgement.objects.exists()

    def test_a_preliminary_statement_cannot_be_acknowledged(self, world: World) -> None:
        from django.contrib.auth.models import Group

        from openspm.core.roles import Role

        publish_ae_plan(world)
        glossary_quarter(world)
        run_quarter(world)
        # A comp admin who is also a payee sees the preview of their own statement.
        world.users["rep1"].groups.add(Group.objects.get(name=Role.COMP_ADMIN.value))
        with pytest.raises(StatementNotPublished):
            services.acknowledge_statement(
                actor=world.users["rep1"], person_id=world.people["rep1"].pk, period_key=PERIOD
            )
        assert not StatementAcknowledgement.objects.exists()

    def test_get_is_not_allowed(self, world: World, published: CalcRun) -> None:
        response = client_as(world, "rep1").get(url(world, view="comp:statement_acknowledge"))
        assert response.status_code == 405


@pytest.mark.django_db
class TestPdf:
    def test_pdf_holds_the_payout(self, world: World, published: CalcRun) -> None:
        response = client_as(world, "rep1").get(url(world, view="comp:statement_pdf"))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        text = "".join(
            page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
        )
        assert "16,000.00 USD" in text
        assert "(REP1)" in text

    def test_pdf_of_another_payee_is_not_found(self, world: World, published: CalcRun) -> None:
        response = client_as(world, "rep2").get(url(world, view="comp:statement_pdf"))
        assert response.status_code == 404

    def test_the_renderer_refuses_remote_urls(self) -> None:
        with pytest.raises(ValueError, match="no external resources"):
            services.refuse_remote("https://example.com/font.woff")
        with pytest.raises(ValueError, match="no external resources"):
            services.refuse_remote("file:///etc/passwd")

    def test_a_remote_image_in_the_html_is_not_fetched(self) -> None:
        pdf = services.render_pdf(html='<p>Total 1.00 USD</p><img src="http://192.0.2.1/logo.png">')
        assert pdf.startswith(b"%PDF")


@pytest.mark.django_db
class TestStatementList:
    def test_a_manager_sees_their_teams_payout_totals(
        self, world: World, published: CalcRun
    ) -> None:
        response = client_as(world, "manager1").get(reverse("comp:statements"))
        rows = {row.person.external_id: row.payout_totals for row in response.context["statements"]}
        assert rows == {
            "REP1": [selectors.Money(Decimal("16000.00"), "USD")],
            "REP2": [selectors.Money(Decimal("2500.00"), "USD")],
        }

    def test_a_rep_sees_only_their_own(self, world: World, published: CalcRun) -> None:
        response = client_as(world, "rep2").get(reverse("comp:statements"))
        assert [r.person.external_id for r in response.context["statements"]] == ["REP2"]
        assert "16,000.00" not in response.content.decode()

    def test_another_managers_team_is_empty(self, world: World, published: CalcRun) -> None:
        response = client_as(world, "manager2").get(reverse("comp:statements"))
        assert response.context["statements"] == []

    def test_period_filter_and_unknown_period(self, world: World, published: CalcRun) -> None:
        client = client_as(world, "finance")
        response = client.get(reverse("comp:statements"), {"period": PERIOD})
        assert len(response.context["statements"]) == 2
        assert client.get(reverse("comp:statements"), {"period": "2026-Q3"}).status_code == 404

    def test_no_published_run_yet(self, world: World) -> None:
        response = client_as(world, "rep1").get(reverse("comp:statements"))
        assert response.status_code == 200
        assert response.context["statements"] == []
