"""Disputes: opening from a statement line, the workflow, adjustments and e-mails (real SMTP)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from openspm.comp.models import Adjustment, CalcRun, Dispute, EarningLine, PayoutLine
from openspm.comp.selectors import disputes as selectors
from openspm.comp.services import calc, close
from openspm.comp.services import disputes as services
from openspm.comp.services.adjustments import PeriodClosed
from openspm.core.errors import InvalidInput, NotFound, PermissionDenied
from openspm.org import selectors as org_selectors
from openspm.org.models import Period
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.comp.smtp import Inbox, free_port, smtp_fixture  # noqa: F401  (the `smtp` fixture)
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(world: World) -> CalcRun:
    """2026-Q1 calculated by the engine and published: rep1 earns 16,000.00, rep2 2,500.00."""
    publish_ae_plan(world)
    glossary_quarter(world)
    queued = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
    done = calc.execute_run(run_id=queued.pk)
    assert done.status == CalcRun.Status.SUCCEEDED, done.error
    CalcRun.objects.filter(pk=done.pk).update(
        approval=CalcRun.Approval.APPROVED, published_at=timezone.now()
    )
    done.refresh_from_db()
    return done


@pytest.fixture
def emails(world: World) -> None:
    world.people["rep1"].email = "rep1@example.test"
    world.people["rep1"].save(update_fields=["email"])
    world.users["compadmin"].email = "compadmin@example.test"
    world.users["compadmin"].save(update_fields=["email"])
    world.users["rep2"].email = "rep2.login@example.test"
    world.users["rep2"].save(update_fields=["email"])


def earning(run: CalcRun, world: World, name: str = "rep1", tier: str = "") -> EarningLine:
    """The payee's commission line in `tier`, else in their highest tier. rep1's tier 1 sums
    D1 and D2's slice below quota, tier 2 is D2's slice above it; rep2's tier 1 is D3."""
    lines = EarningLine.objects.filter(run=run, person=world.people[name], line_count__gt=0)
    if tier:
        lines = lines.filter(tier=tier)
    return lines.order_by("-tier", "-pk")[0]


def payout(run: CalcRun, world: World, name: str = "rep1") -> PayoutLine:
    return PayoutLine.objects.filter(run=run, person=world.people[name]).order_by("pk")[0]


def open_as(world: World, who: str, line: EarningLine, **fields: Any) -> Dispute:
    values = {
        "category": "wrong_rate",
        "subject": "D2 rate",
        "body": "D2 should pay 12 % above quota.",
    } | fields
    return services.open_dispute(actor=world.users[who], earning_line_id=line.pk, **values)


def reviewed(world: World, dispute: Dispute) -> Dispute:
    return services.transition_dispute(
        actor=world.users["compadmin"], dispute_id=dispute.pk, action="review"
    )


class TestOpenDispute:
    def test_snapshots_the_lines_trace(self, world: World, run: CalcRun) -> None:
        line = earning(run, world)
        dispute = open_as(world, "rep1", line)
        assert dispute.person == world.people["rep1"]
        assert dispute.run == run
        assert dispute.period.key == "2026-Q1"
        assert dispute.status == Dispute.Status.OPEN
        assert dispute.assignee is None
        trace = Dispute.objects.get(pk=dispute.pk).trace
        assert trace["plan_code"] == "ae"
        assert trace["plan_version"] == 1
        assert trace["component_id"] == "commission"
        assert trace["transaction_refs"] == ["D2"]
        assert trace["deal_count"] == 1
        assert trace["run_fingerprint"] == run.fingerprint
        assert trace["currency"] == "USD"
        assert Decimal(trace["amount"]) == line.amount
        assert Decimal(trace["rate"]) == line.rate
        assert trace["tier"] == line.tier
        assert Decimal(trace["attainment"]) == line.attainment
        assert trace["credit_reason"] == line.credit_reason

    def test_a_summary_lines_trace_names_its_deals(self, world: World, run: CalcRun) -> None:
        line = earning(run, world, tier="1")
        dispute = open_as(world, "rep1", line)
        assert dispute.trace["deal_count"] == 2
        assert dispute.trace["transaction_refs"] == ["D1", "D2"]
        assert dispute.trace["measure_value"] is None  # each deal's is in the drill-down
        assert Decimal(dispute.trace["amount"]) == Decimal("10000")

    def test_trace_survives_a_recalculation(self, world: World, run: CalcRun) -> None:
        line = earning(run, world)
        amount = line.amount
        dispute = open_as(world, "rep1", line)
        EarningLine.objects.filter(pk=line.pk).delete()
        dispute.refresh_from_db()
        assert dispute.earning_line is None
        assert selectors.trace_amount(dispute) == amount

    def test_payout_line(self, world: World, run: CalcRun) -> None:
        line = payout(run, world)
        dispute = services.open_dispute(
            actor=world.users["rep1"],
            payout_line_id=line.pk,
            category="wrong_payment",
            subject="Payout",
            body="Too low.",
        )
        assert dispute.payout_line == line
        assert dispute.trace["line_kind"] == "payout"
        assert Decimal(dispute.trace["amount"]) == line.amount
        assert Decimal(dispute.trace["plan_amount"]) == line.plan_amount

    def test_manager_opens_for_their_rep(self, world: World, run: CalcRun) -> None:
        dispute = open_as(world, "manager1", earning(run, world))
        assert dispute.person == world.people["rep1"]
        assert dispute.opened_by == world.users["manager1"]

    @pytest.mark.parametrize("who", ["rep2", "manager2", "partner"])
    def test_a_line_outside_the_scope_is_not_found(
        self, world: World, run: CalcRun, who: str
    ) -> None:
        with pytest.raises(NotFound):
            open_as(world, who, earning(run, world))
        assert not Dispute.objects.exists()

    def test_a_rep_cannot_question_an_unpublished_run(self, world: World, run: CalcRun) -> None:
        CalcRun.objects.filter(pk=run.pk).update(approval=CalcRun.Approval.PENDING)
        with pytest.raises(NotFound):
            open_as(world, "rep1", earning(run, world))

    def test_needs_exactly_one_line(self, world: World, run: CalcRun) -> None:
        with pytest.raises(NotFound):
            services.open_dispute(
                actor=world.users["rep1"],
                earning_line_id=earning(run, world).pk,
                payout_line_id=payout(run, world).pk,
                category="other",
                subject="x",
                body="y",
            )

    def test_unknown_category_and_empty_text_are_refused(self, world: World, run: CalcRun) -> None:
        with pytest.raises(InvalidInput):
            open_as(world, "rep1", earning(run, world), category="bribe")
        with pytest.raises(InvalidInput):
            open_as(world, "rep1", earning(run, world), body="  ")
        assert not Dispute.objects.exists()


class TestSla:
    @pytest.mark.parametrize(
        ("opened", "due"),
        [
            (datetime(2026, 3, 2, 9, tzinfo=UTC), datetime(2026, 3, 9, 9, tzinfo=UTC)),  # Mon
            (datetime(2026, 3, 6, 15, tzinfo=UTC), datetime(2026, 3, 13, 15, tzinfo=UTC)),  # Fri
            (datetime(2026, 3, 7, 10, tzinfo=UTC), datetime(2026, 3, 13, 10, tzinfo=UTC)),  # Sat
            (datetime(2026, 3, 4, 8, tzinfo=UTC), datetime(2026, 3, 11, 8, tzinfo=UTC)),  # Wed
        ],
    )
    def test_five_business_days(self, opened: datetime, due: datetime) -> None:
        assert services.due_after(opened) == due

    def test_due_at_is_set_on_opening(self, world: World, run: CalcRun) -> None:
        before = timezone.now()
        dispute = open_as(world, "rep1", earning(run, world))
        after = timezone.now()
        assert services.due_after(before) <= dispute.due_at <= services.due_after(after)

    def test_overdue_is_listed_and_filtered(self, world: World, run: CalcRun) -> None:
        late = open_as(world, "rep1", earning(run, world), subject="late")
        on_time = open_as(world, "rep1", earning(run, world, tier="1"), subject="on time")
        Dispute.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(1))
        admin = world.users["compadmin"]
        rows = {d.pk: d.is_overdue for d in selectors.list_disputes(viewer=admin)}
        assert rows == {late.pk: True, on_time.pk: False}
        assert [d.pk for d in selectors.list_disputes(viewer=admin, overdue=True)] == [late.pk]
        assert [d.pk for d in selectors.list_disputes(viewer=admin, overdue=False)] == [on_time.pk]

    def test_a_closed_dispute_is_never_overdue(self, world: World, run: CalcRun) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        services.transition_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, action="reject", resolution="No"
        )
        Dispute.objects.filter(pk=dispute.pk).update(due_at=timezone.now() - timedelta(9))
        assert not selectors.list_disputes(viewer=world.users["compadmin"], overdue=True).exists()


class TestVisibility:
    @pytest.mark.parametrize(
        ("who", "sees"),
        [
            ("rep1", {"rep1"}),
            ("rep2", {"rep2"}),
            ("manager1", {"rep1", "rep2"}),
            ("manager2", set()),
            ("vp", {"rep1", "rep2"}),
            ("finance", {"rep1", "rep2"}),
            ("compadmin", {"rep1", "rep2"}),
            ("admin", {"rep1", "rep2"}),
            ("partner", set()),
        ],
    )
    def test_list_is_scoped(self, world: World, run: CalcRun, who: str, sees: set[str]) -> None:
        mine = {name: open_as(world, name, earning(run, world, name)) for name in ("rep1", "rep2")}
        got = {d.pk for d in selectors.list_disputes(viewer=world.users[who])}
        assert got == {mine[name].pk for name in sees}
        for name, dispute in mine.items():
            if name not in sees:
                with pytest.raises(NotFound):
                    selectors.get_dispute(viewer=world.users[who], dispute_id=dispute.pk)

    def test_filters_by_status_and_assignee(self, world: World, run: CalcRun) -> None:
        admin = world.users["compadmin"]
        first = open_as(world, "rep1", earning(run, world))
        second = open_as(world, "rep2", earning(run, world, "rep2"))
        services.transition_dispute(actor=admin, dispute_id=first.pk, action="take")
        assert [d.pk for d in selectors.list_disputes(viewer=admin, assignee_id=admin.pk)] == [
            first.pk
        ]
        assert [d.pk for d in selectors.list_disputes(viewer=admin, unassigned=True)] == [second.pk]
        reviewed(world, second)
        assert [d.pk for d in selectors.list_disputes(viewer=admin, status="in_review")] == [
            second.pk
        ]

    def test_list_queries_do_not_grow_with_rows(
        self, world: World, run: CalcRun, django_assert_max_num_queries: Callable[..., Any]
    ) -> None:
        admin = world.users["compadmin"]
        for tier in ("1", "2"):
            open_as(world, "rep1", earning(run, world, tier=tier))
        with django_assert_max_num_queries(3):
            rows = list(selectors.list_disputes(viewer=admin))
            _ = [(d.person.full_name, d.period.key, d.assignee, d.opened_by) for d in rows]


class TestWorkflow:
    def test_take_assigns_the_actor(self, world: World, run: CalcRun) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        taken = services.transition_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, action="take"
        )
        assert taken.assignee == world.users["compadmin"]
        assert taken.status == Dispute.Status.OPEN

    def test_review_then_reject_needs_a_text(self, world: World, run: CalcRun) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        assert dispute.status == Dispute.Status.IN_REVIEW
        assert dispute.assignee == world.users["compadmin"]
        with pytest.raises(InvalidInput):
            services.transition_dispute(
                actor=world.users["compadmin"], dispute_id=dispute.pk, action="reject"
            )
        rejected = services.transition_dispute(
            actor=world.users["compadmin"],
            dispute_id=dispute.pk,
            action="reject",
            resolution="The rate is right: attainment was below 100 %.",
        )
        assert rejected.status == Dispute.Status.REJECTED
        assert rejected.resolved_at is not None
        assert rejected.adjustment is None

    def test_cannot_decide_before_review(self, world: World, run: CalcRun) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        with pytest.raises(services.DisputeClosed):
            services.transition_dispute(
                actor=world.users["compadmin"], dispute_id=dispute.pk, action="resolve"
            )

    def test_a_closed_dispute_does_not_move(self, world: World, run: CalcRun) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        services.transition_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, action="resolve"
        )
        for action in services.ACTIONS:
            with pytest.raises(services.DisputeClosed):
                services.transition_dispute(
                    actor=world.users["admin"],
                    dispute_id=dispute.pk,
                    action=action,
                    resolution="again",
                )
        with pytest.raises(services.DisputeClosed):
            services.comment_on_dispute(
                actor=world.users["rep1"], dispute_id=dispute.pk, body="Thanks"
            )

    def test_unknown_action(self, world: World, run: CalcRun) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        with pytest.raises(InvalidInput):
            services.transition_dispute(
                actor=world.users["compadmin"], dispute_id=dispute.pk, action="reopen"
            )

    @pytest.mark.parametrize("who", ["rep1", "manager1", "finance", "vp"])
    def test_only_comp_staff_handle(self, world: World, run: CalcRun, who: str) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        with pytest.raises(PermissionDenied):
            services.transition_dispute(
                actor=world.users[who], dispute_id=dispute.pk, action="take"
            )
        dispute.refresh_from_db()
        assert dispute.assignee is None

    def test_resolve_with_an_amount_creates_a_pending_adjustment(
        self, world: World, run: CalcRun
    ) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        resolved = services.transition_dispute(
            actor=world.users["compadmin"],
            dispute_id=dispute.pk,
            action="resolve",
            resolution="Tier 2 applies to the rest of D2.",
            amount=Decimal("350.25"),
        )
        assert resolved.status == Dispute.Status.RESOLVED
        adjustment = Adjustment.objects.get(pk=resolved.adjustment_id)
        today = org_selectors.today()
        assert adjustment.period.kind == Period.Kind.QUARTER
        assert adjustment.period.start_on <= today <= adjustment.period.end_on
        assert adjustment.amount == Decimal("350.25")
        assert adjustment.currency == "USD"
        assert adjustment.source == Adjustment.Source.DISPUTE
        assert adjustment.reason_code == Adjustment.Reason.WRONG_RATE
        assert adjustment.status == Adjustment.Status.PENDING
        assert adjustment.person == world.people["rep1"]
        assert adjustment.origin_period == dispute.period
        assert adjustment.created_by == world.users["compadmin"]
        assert f"Dispute {dispute.pk}" in adjustment.description

    def test_resolve_without_amount_pays_nothing(self, world: World, run: CalcRun) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        resolved = services.transition_dispute(
            actor=world.users["compadmin"],
            dispute_id=dispute.pk,
            action="resolve",
            resolution="Explained on a call.",
        )
        assert resolved.adjustment is None
        assert not Adjustment.objects.exists()

    def test_resolve_into_a_closed_period_is_refused(self, world: World, run: CalcRun) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        services.transition_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, action="take"
        )
        today = org_selectors.today()
        close.current_open_period(kind="quarter", on=today)
        Period.objects.filter(kind="quarter", start_on__lte=today, end_on__gte=today).update(
            status=Period.Status.CLOSED
        )
        with pytest.raises(PeriodClosed):
            services.transition_dispute(
                actor=world.users["compadmin"],
                dispute_id=dispute.pk,
                action="resolve",
                amount=Decimal("10"),
            )
        dispute.refresh_from_db()
        assert dispute.status == Dispute.Status.IN_REVIEW
        assert not Adjustment.objects.exists()


class TestComments:
    def test_internal_notes_are_hidden_from_the_payee_side(
        self, world: World, run: CalcRun
    ) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        services.comment_on_dispute(
            actor=world.users["compadmin"],
            dispute_id=dispute.pk,
            body="Looks right",
            is_internal=True,
        )
        services.comment_on_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, body="We are checking."
        )
        services.comment_on_dispute(actor=world.users["rep1"], dispute_id=dispute.pk, body="Thanks")
        for who, bodies in (
            ("rep1", ["We are checking.", "Thanks"]),
            ("manager1", ["We are checking.", "Thanks"]),
            ("finance", ["Looks right", "We are checking.", "Thanks"]),
            ("compadmin", ["Looks right", "We are checking.", "Thanks"]),
        ):
            thread = selectors.list_comments(viewer=world.users[who], dispute=dispute)
            assert [c.body for c in thread] == bodies, who

    @pytest.mark.parametrize("who", ["rep1", "manager1"])
    def test_the_payee_side_cannot_write_internal_notes(
        self, world: World, run: CalcRun, who: str
    ) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        with pytest.raises(PermissionDenied):
            services.comment_on_dispute(
                actor=world.users[who], dispute_id=dispute.pk, body="psst", is_internal=True
            )
        assert not dispute.comments.exists()

    def test_an_unseen_dispute_is_not_found(self, world: World, run: CalcRun) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        with pytest.raises(NotFound):
            services.comment_on_dispute(actor=world.users["rep2"], dispute_id=dispute.pk, body="?")


@pytest.mark.usefixtures("emails")
class TestEmails:
    """Through Django's SMTP backend to a real SMTP server on loopback."""

    def test_opening_tells_the_comp_admins(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            dispute = services.open_dispute(
                actor=world.users["rep1"],
                earning_line_id=earning(run, world).pk,
                category="wrong_rate",
                subject="D2 rate",
                body="D2 should pay 12 %.",
                site_url="https://spm.example.test",
            )
        [message] = smtp.messages
        assert message.recipients == ["compadmin@example.test"]
        assert message.subject == f"[OpenSPM] Dispute {dispute.pk} opened: D2 rate"
        link = f"https://spm.example.test/comp/disputes/{dispute.pk}/"
        amount = earning(run, world).amount.quantize(Decimal("0.01"))
        for body in (message.text, message.html):
            assert link in body
            assert f"{amount:,} USD" in body
            assert "D2 should pay 12 %." in body

    def test_the_assignee_is_told_too(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        from openspm.comp import notify

        dispute = open_as(world, "rep1", earning(run, world))
        world.users["admin"].email = "admin@example.test"
        world.users["admin"].save(update_fields=["email"])
        Dispute.objects.filter(pk=dispute.pk).update(assignee=world.users["admin"])
        assert notify.dispute_opened(dispute_id=dispute.pk) == 1
        [message] = smtp.messages
        assert message.recipients == ["admin@example.test", "compadmin@example.test"]

    def test_a_reply_tells_the_payee_but_an_internal_note_does_not(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        dispute = open_as(world, "rep1", earning(run, world))
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_on_dispute(
                actor=world.users["compadmin"],
                dispute_id=dispute.pk,
                body="Internal",
                is_internal=True,
            )
            services.comment_on_dispute(
                actor=world.users["compadmin"],
                dispute_id=dispute.pk,
                body="We are on it.",
                site_url="http://testserver",
            )
            services.comment_on_dispute(actor=world.users["rep1"], dispute_id=dispute.pk, body="Ok")
        [message] = smtp.messages
        assert message.recipients == ["rep1@example.test"]
        assert "We are on it." in message.text
        assert "Internal" not in message.text + message.html
        assert f"http://testserver/comp/disputes/{dispute.pk}/" in message.text

    def test_the_payees_login_address_is_the_fallback(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        dispute = open_as(world, "rep2", earning(run, world, "rep2"))
        with django_capture_on_commit_callbacks(execute=True):
            services.comment_on_dispute(
                actor=world.users["compadmin"], dispute_id=dispute.pk, body="Checking"
            )
        assert [m.recipients for m in smtp.messages] == [["rep2.login@example.test"]]

    def test_resolution_tells_the_payee_the_adjustment(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        with django_capture_on_commit_callbacks(execute=True):
            services.transition_dispute(
                actor=world.users["compadmin"],
                dispute_id=dispute.pk,
                action="resolve",
                resolution="Tier 2 applies.",
                amount=Decimal("1234.5"),
            )
        [message] = smtp.to("rep1@example.test")
        assert message.subject == f"[OpenSPM] Dispute {dispute.pk} resolved: D2 rate"
        for body in (message.text, message.html):
            assert "1,234.50 USD" in body
            assert f"/comp/disputes/{dispute.pk}/" in body
            assert "Tier 2 applies." in body

    def test_rejection_tells_the_payee(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        dispute = reviewed(world, open_as(world, "rep1", earning(run, world)))
        with django_capture_on_commit_callbacks(execute=True):
            services.transition_dispute(
                actor=world.users["compadmin"],
                dispute_id=dispute.pk,
                action="reject",
                resolution="Below quota.",
            )
        [message] = smtp.to("rep1@example.test")
        assert "rejected" in message.subject
        assert "Below quota." in message.text

    def test_a_rolled_back_change_sends_nothing(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(InvalidInput):
            open_as(world, "rep1", earning(run, world), category="bribe")
        assert smtp.messages == []

    def test_nobody_with_an_address_means_no_mail(
        self, world: World, run: CalcRun, smtp: Inbox, django_capture_on_commit_callbacks: Any
    ) -> None:
        world.users["compadmin"].email = ""
        world.users["compadmin"].save(update_fields=["email"])
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            open_as(world, "rep1", earning(run, world))
        assert len(callbacks) == 1
        assert smtp.messages == []

    def test_a_mail_server_that_is_down_does_not_undo_the_change(
        self,
        world: World,
        run: CalcRun,
        settings: Any,
        caplog: pytest.LogCaptureFixture,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = free_port()  # nothing listens there
        with django_capture_on_commit_callbacks(execute=True):
            dispute = open_as(world, "rep1", earning(run, world))
        assert Dispute.objects.filter(pk=dispute.pk).exists()
        assert "comp.notify.dispute_opened" in caplog.text
