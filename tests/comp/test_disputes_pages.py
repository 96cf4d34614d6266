"""The dispute pages and API as their users see them (tests/web/test_pages.py checks who may
open each page; tests/comp/matrix_disputes.py the API's role matrix)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from openspm.comp.models import Adjustment, CalcRun, Dispute, EarningLine, PayoutLine
from openspm.comp.services import disputes as services
from tests.comp.smtp import Inbox, smtp_fixture  # noqa: F401  (the `smtp` fixture)
from tests.comp.test_approvals_factories import add_earning, add_payout, make_run, period
from tests.factories import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _static_from_finders(settings: Any) -> None:
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture
def login(world: World) -> Callable[[str], Client]:
    def client_for(name: str) -> Client:
        client = Client()
        client.force_login(world.users[name])
        return client

    return client_for


@pytest.fixture
def run() -> CalcRun:
    return make_run(period("2026-Q1"), approval=CalcRun.Approval.APPROVED)


@pytest.fixture
def line(world: World, run: CalcRun) -> EarningLine:
    return add_earning(run, world.people["rep1"], "1250.00", transaction_ref="D9", tier="2")


def _open(world: World, line: EarningLine, who: str = "rep1") -> Dispute:
    return services.open_dispute(
        actor=world.users[who],
        earning_line_id=line.pk,
        category="missing_credit",
        subject="Missing D9",
        body="D9 paid too little.",
    )


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


class TestNewPage:
    def test_shows_the_line_and_opens_the_dispute(
        self, world: World, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        client = login("rep1")
        url = reverse("comp:dispute_new") + f"?earning_line={line.pk}"
        page = client.get(url)
        assert page.status_code == 200
        assert page.context["line"] == line
        assert "1,250.00 USD" in page.content.decode()
        response = client.post(
            url, {"category": "wrong_rate", "subject": "Rate", "body": "Should be tier 2."}
        )
        dispute = Dispute.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("comp:dispute", args=[dispute.pk])
        assert dispute.earning_line == line
        assert dispute.opened_by == world.users["rep1"]
        assert dispute.category == "wrong_rate"

    def test_from_a_payout_line(
        self, world: World, run: CalcRun, login: Callable[[str], Client]
    ) -> None:
        payout = add_payout(run, world.people["rep1"], "900.00")
        url = reverse("comp:dispute_new") + f"?payout_line={payout.pk}"
        response = login("manager1").post(
            url, {"category": "wrong_payment", "subject": "Paid", "body": "Too low."}
        )
        assert response.status_code == 302
        dispute = Dispute.objects.get()
        assert dispute.payout_line == PayoutLine.objects.get(pk=payout.pk)
        assert dispute.person == world.people["rep1"]

    def test_an_invalid_form_is_shown_again(
        self, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        url = reverse("comp:dispute_new") + f"?earning_line={line.pk}"
        response = login("rep1").post(url, {"category": "other", "subject": "", "body": "x"})
        assert response.status_code == 200
        assert response.context["form"].errors["subject"]
        assert not Dispute.objects.exists()

    @pytest.mark.parametrize(
        ("who", "status"),
        [
            ("rep1", 200),
            ("manager1", 200),
            ("vp", 200),
            ("compadmin", 200),
            ("rep2", 404),
            ("manager2", 404),
            ("partner", 403),
        ],
    )
    def test_who_may_question_the_line(
        self, line: EarningLine, login: Callable[[str], Client], who: str, status: int
    ) -> None:
        url = reverse("comp:dispute_new") + f"?earning_line={line.pk}"
        assert login(who).get(url).status_code == status
        response = login(who).post(url, {"category": "other", "subject": "s", "body": "b"})
        assert response.status_code == (302 if status == 200 else status)
        assert Dispute.objects.exists() == (status == 200)

    @pytest.mark.parametrize("query", ["", "?earning_line=abc", "?earning_line=999999"])
    def test_no_line_is_not_found(self, login: Callable[[str], Client], query: str) -> None:
        assert login("rep1").get(reverse("comp:dispute_new") + query).status_code == 404


class TestListPage:
    def test_scoped_with_age_and_overdue(
        self, world: World, run: CalcRun, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        mine = _open(world, line)
        other = _open(world, add_earning(run, world.people["rep3"], "10.00"), who="rep3")
        Dispute.objects.filter(pk=other.pk).update(due_at=timezone.now() - timedelta(1))
        staff = login("compadmin").get(reverse("comp:disputes"))
        assert {d.pk for d in staff.context["disputes"]} == {mine.pk, other.pk}
        assert staff.content.decode().count('data-testid="overdue"') == 1
        rep = login("rep1").get(reverse("comp:disputes"))
        assert [d.pk for d in rep.context["disputes"]] == [mine.pk]
        assert [
            d.pk for d in login("manager2").get(reverse("comp:disputes")).context["disputes"]
        ] == [other.pk]
        assert login("partner").get(reverse("comp:disputes")).status_code == 403

    def test_filters(
        self, world: World, run: CalcRun, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        mine = _open(world, line)
        other = _open(world, add_earning(run, world.people["rep3"], "10.00"), who="rep3")
        services.transition_dispute(
            actor=world.users["compadmin"], dispute_id=mine.pk, action="review"
        )
        Dispute.objects.filter(pk=other.pk).update(due_at=timezone.now() - timedelta(1))
        client = login("compadmin")
        url = reverse("comp:disputes")

        def pks(**query: str) -> list[int]:
            return [d.pk for d in client.get(url, query).context["disputes"]]

        assert pks(status="in_review") == [mine.pk]
        assert pks(status="open") == [other.pk]
        assert pks(assignee="me") == [mine.pk]
        assert pks(assignee="none") == [other.pk]
        assert pks(assignee=str(world.users["compadmin"].pk)) == [mine.pk]
        assert pks(overdue="yes") == [other.pk]
        assert pks(overdue="no") == [mine.pk]

    def test_queries_do_not_grow_with_rows(
        self,
        world: World,
        run: CalcRun,
        login: Callable[[str], Client],
    ) -> None:
        client = login("compadmin")
        _open(world, add_earning(run, world.people["rep1"], "1.00"))
        client.get(reverse("comp:disputes"))
        with CaptureQueriesContext(connection) as one:
            client.get(reverse("comp:disputes"))
        for n in range(5):
            _open(world, add_earning(run, world.people["rep2"], f"{n + 2}.00"), who="rep2")
        with CaptureQueriesContext(connection) as many:
            client.get(reverse("comp:disputes"))
        assert len(many) == len(one)


class TestDetailPage:
    def test_payee_sees_the_trace_and_the_thread_without_internal_notes(
        self, world: World, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        dispute = _open(world, line)
        services.comment_on_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, body="SECRET", is_internal=True
        )
        services.comment_on_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, body="Checking now."
        )
        EarningLine.objects.filter(pk=line.pk).delete()  # a recalculation replaced the line
        page = login("rep1").get(reverse("comp:dispute", args=[dispute.pk]))
        text = page.content.decode()
        assert page.status_code == 200
        assert "1,250.00 USD" in text
        assert "D9" in text
        assert "Checking now." in text
        assert "SECRET" not in text
        assert "is_internal" not in text
        assert 'data-testid="take"' not in text
        staff = login("compadmin").get(reverse("comp:dispute", args=[dispute.pk]))
        assert "SECRET" in staff.content.decode()
        assert 'data-testid="take"' in staff.content.decode()
        assert 'data-testid="review"' in staff.content.decode()

    def test_other_team_is_not_found(
        self, world: World, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        dispute = _open(world, line)
        for who in ("rep2", "manager2"):
            response = login(who).get(reverse("comp:dispute", args=[dispute.pk]))
            assert response.status_code == 404

    def test_comment_form_posts(
        self, world: World, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        dispute = _open(world, line)
        url = reverse("comp:dispute_comment", args=[dispute.pk])
        response = login("rep1").post(url, {"body": "Any news?"})
        assert response.status_code == 302
        assert (
            login("compadmin").post(url, {"body": "note", "is_internal": "on"}).status_code == 302
        )
        assert [(c.body, c.is_internal) for c in dispute.comments.order_by("pk")] == [
            ("Any news?", False),
            ("note", True),
        ]
        assert login("rep1").post(url, {"body": "x", "is_internal": "on"}).status_code == 403
        assert login("rep2").post(url, {"body": "x"}).status_code == 404
        assert dispute.comments.count() == 2

    def test_take_review_and_resolve_with_an_adjustment(
        self, world: World, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        dispute = _open(world, line)
        client = login("compadmin")
        url = reverse("comp:dispute_transition", args=[dispute.pk])
        assert client.post(url, {"action": "take"}).status_code == 302
        assert client.post(url, {"action": "review"}).status_code == 302
        response = client.post(
            url, {"action": "resolve", "resolution": "Paid D9", "amount": "75.50"}, follow=True
        )
        dispute.refresh_from_db()
        assert dispute.status == Dispute.Status.RESOLVED
        assert dispute.assignee == world.users["compadmin"]
        adjustment = Adjustment.objects.get(pk=dispute.adjustment_id)
        assert adjustment.amount == Decimal("75.50")
        assert adjustment.status == Adjustment.Status.PENDING
        assert 'data-testid="dispute-adjustment"' in response.content.decode()
        assert "75.50 USD" in response.content.decode()
        assert response.context["comment_form"] is None

    def test_reject_without_a_text_is_refused_on_the_page(
        self, world: World, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        dispute = _open(world, line)
        services.transition_dispute(
            actor=world.users["compadmin"], dispute_id=dispute.pk, action="review"
        )
        url = reverse("comp:dispute_transition", args=[dispute.pk])
        response = login("compadmin").post(url, {"action": "reject"}, follow=True)
        assert "Say why the dispute is rejected." in _messages(response)
        dispute.refresh_from_db()
        assert dispute.status == Dispute.Status.IN_REVIEW

    @pytest.mark.parametrize(("who", "status"), [("rep1", 403), ("finance", 403), ("rep2", 404)])
    def test_only_comp_staff_move_it(
        self, world: World, line: EarningLine, login: Callable[[str], Client], who: str, status: int
    ) -> None:
        dispute = _open(world, line)
        url = reverse("comp:dispute_transition", args=[dispute.pk])
        assert login(who).post(url, {"action": "take"}).status_code == status
        dispute.refresh_from_db()
        assert dispute.assignee is None


class TestApi:
    def test_open_comment_and_resolve(
        self,
        world: World,
        line: EarningLine,
        login: Callable[[str], Client],
        smtp: Inbox,
        django_capture_on_commit_callbacks: Any,
    ) -> None:
        world.people["rep1"].email = "rep1@example.test"
        world.people["rep1"].save(update_fields=["email"])
        rep, staff = login("rep1"), login("compadmin")
        with django_capture_on_commit_callbacks(execute=True):
            opened = rep.post(
                "/api/v1/comp/disputes",
                {
                    "earning_line_id": line.pk,
                    "category": "missing_credit",
                    "subject": "D9",
                    "body": "Missing",
                },
                content_type="application/json",
            )
        assert opened.status_code == 201, opened.json()
        body = opened.json()
        assert body["line_amount"] == "1250.0000"
        assert body["trace"]["transaction_refs"] == ["D9"]
        assert body["trace"]["amount"] == "1250.0000"
        assert body["is_overdue"] is False
        pk = body["id"]
        base = f"/api/v1/comp/disputes/{pk}"
        note = staff.post(
            f"{base}/comments",
            {"body": "internal", "is_internal": True},
            content_type="application/json",
        )
        assert note.status_code == 201
        assert [c["body"] for c in rep.get(base).json()["comments"]] == []
        assert [c["body"] for c in staff.get(base).json()["comments"]] == ["internal"]
        for action in ("take", "review"):
            assert (
                staff.post(
                    f"{base}/transition", {"action": action}, content_type="application/json"
                ).status_code
                == 200
            )
        with django_capture_on_commit_callbacks(execute=True):
            resolved = staff.post(
                f"{base}/transition",
                {"action": "resolve", "resolution": "Paid", "amount": "99.99"},
                content_type="application/json",
            )
        assert resolved.status_code == 200, resolved.json()
        assert resolved.json()["status"] == "resolved"
        assert Adjustment.objects.get(pk=resolved.json()["adjustment_id"]).amount == Decimal(
            "99.99"
        )
        [message] = smtp.to("rep1@example.test")
        assert "99.99 USD" in message.text
        again = staff.post(
            f"{base}/transition", {"action": "review"}, content_type="application/json"
        )
        assert again.status_code == 409
        assert again.json()["error"]

    def test_list_filters(
        self, world: World, line: EarningLine, login: Callable[[str], Client]
    ) -> None:
        dispute = _open(world, line)
        staff = login("compadmin")
        got = staff.get("/api/v1/comp/disputes?status=open&unassigned=true").json()
        assert [d["id"] for d in got["items"]] == [dispute.pk]
        assert staff.get("/api/v1/comp/disputes?status=resolved").json()["count"] == 0
        assert staff.get("/api/v1/comp/disputes?overdue=true").json()["count"] == 0
