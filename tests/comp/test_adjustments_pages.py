"""The payouts pages: approvals, adjustments, period close and exports, as their users see
them (tests/web/test_pages.py checks who may open each)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openspm.comp.models import Adjustment, CalcRun
from openspm.comp.services import close
from openspm.comp.services.adjustments import create_adjustment
from openspm.org.models import Period
from tests.comp.test_approvals_factories import add_payout, make_run, period, publish
from tests.factories import World


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


def _messages(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _adjust(world: World, name: str, key: str = "2026-Q1", amount: str = "100.00") -> Adjustment:
    return create_adjustment(
        actor=world.users["compadmin"],
        person=world.people[name],
        period=period(key),
        amount=Decimal(amount),
        currency="USD",
        reason_code="manual_bonus",
        description=f"Bonus for {name}",
    )


@pytest.mark.django_db
class TestAdjustmentPages:
    def test_comp_admin_creates_finance_approves(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        period("2026-Q1")
        response = login("compadmin").post(
            reverse("comp:adjustments"),
            {
                "person": "REP1",
                "period": "2026-Q1",
                "amount": "250.50",
                "currency": "USD",
                "reason_code": "missing_credit",
                "description": "Deal D9 was booked under rep2",
            },
        )
        adjustment = Adjustment.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("comp:adjustment", args=[adjustment.pk])
        assert (adjustment.amount, adjustment.status) == (Decimal("250.50"), "pending")
        assert adjustment.created_by == world.users["compadmin"]

        own = login("compadmin").get(reverse("comp:adjustment", args=[adjustment.pk]))
        assert own.context["can_decide"] is False
        page = login("finance").get(reverse("comp:adjustment", args=[adjustment.pk]))
        assert page.context["can_decide"] is True
        login("finance").post(
            reverse("comp:decide_adjustment", args=[adjustment.pk]), {"approve": "1"}
        )
        adjustment.refresh_from_db()
        assert (adjustment.status, adjustment.decided_by) == ("approved", world.users["finance"])

    def test_the_author_may_not_decide(self, world: World, login: Callable[[str], Client]) -> None:
        adjustment = _adjust(world, "rep1")
        response = login("compadmin").post(
            reverse("comp:decide_adjustment", args=[adjustment.pk]), {"approve": "1"}, follow=True
        )
        assert any("someone else" in m for m in _messages(response))
        assert Adjustment.objects.get(pk=adjustment.pk).status == "pending"

    def test_a_rejection_needs_a_comment(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        adjustment = _adjust(world, "rep1")
        url = reverse("comp:decide_adjustment", args=[adjustment.pk])
        response = login("finance").post(url, {"reject": "1"}, follow=True)
        assert any("why" in m for m in _messages(response))
        login("finance").post(url, {"reject": "1", "comment": "Already paid in Q4"})
        adjustment.refresh_from_db()
        assert (adjustment.status, adjustment.decision_comment) == (
            "rejected",
            "Already paid in Q4",
        )

    @pytest.mark.parametrize("role", ["finance", "manager1", "rep1"])
    def test_only_editors_create(
        self, world: World, login: Callable[[str], Client], role: str
    ) -> None:
        period("2026-Q1")
        response = login(role).post(
            reverse("comp:adjustments"),
            {
                "person": "REP1",
                "period": "2026-Q1",
                "amount": "10",
                "currency": "USD",
                "reason_code": "other",
                "description": "x",
            },
        )
        assert response.status_code == 403
        assert not Adjustment.objects.exists()

    def test_a_closed_period_shows_the_error_on_the_form(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        Period.objects.filter(pk=period("2026-Q1").pk).update(status=Period.Status.CLOSED)
        response = login("compadmin").post(
            reverse("comp:adjustments"),
            {
                "person": "REP1",
                "period": "2026-Q1",
                "amount": "10",
                "currency": "USD",
                "reason_code": "other",
                "description": "Late bonus",
            },
        )
        assert response.status_code == 200
        assert "2026-Q1 is closed" in str(response.context["form"].non_field_errors())
        assert not Adjustment.objects.exists()

    def test_filters_and_who_sees_which(self, world: World, login: Callable[[str], Client]) -> None:
        rep1_q1, rep3_q1, rep1_q2 = (
            _adjust(world, "rep1"),
            _adjust(world, "rep3"),
            _adjust(world, "rep1", "2026-Q2"),
        )
        url = reverse("comp:adjustments")
        seen = {a.pk for a in login("finance").get(url + "?period=2026-Q1").context["adjustments"]}
        assert seen == {rep1_q1.pk, rep3_q1.pk}
        mine = {a.pk for a in login("rep1").get(url).context["adjustments"]}
        assert mine == {rep1_q1.pk, rep1_q2.pk}
        team = {a.pk for a in login("manager2").get(url).context["adjustments"]}
        assert team == {rep3_q1.pk}
        assert login("rep2").get(reverse("comp:adjustment", args=[rep1_q1.pk])).status_code == 404
        none = login("finance").get(url + "?status=approved").context["adjustments"]
        assert list(none) == []

    def test_the_list_does_not_query_per_row(
        self, world: World, login: Callable[[str], Client], django_assert_num_queries: Any
    ) -> None:
        client, url = login("finance"), reverse("comp:adjustments")
        _adjust(world, "rep1")
        client.get(url)
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        for name in ("rep2", "rep3", "rep1", "rep2"):
            _adjust(world, name)
        with django_assert_num_queries(len(one.captured_queries)):
            client.get(url)


@pytest.mark.django_db
class TestApprovalPages:
    def test_submit_then_two_steps_publish(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        run = make_run(period("2026-Q1"))
        queue = login("compadmin").get(reverse("comp:approvals"))
        assert [r.pk for r in queue.context["unsubmitted"]] == [run.pk]
        login("compadmin").post(reverse("comp:submit_run", args=[run.pk]))
        assert [r.pk for r in login("finance").get(reverse("comp:approvals")).context["runs"]] == [
            run.pk
        ]
        page = login("finance").get(reverse("comp:run_approval", args=[run.pk]))
        assert page.context["can_decide"] is False  # step 1 is the comp admin's
        decide = reverse("comp:decide_run", args=[run.pk])
        login("compadmin").post(decide, {"approve": "1", "comment": "Checked"})
        page = login("finance").get(reverse("comp:run_approval", args=[run.pk]))
        assert page.context["can_decide"] is True
        assert [s.decision for s in page.context["steps"]] == ["approved", ""]
        response = login("finance").post(decide, {"approve": "1"}, follow=True)
        assert any("published" in m for m in _messages(response))
        run.refresh_from_db()
        assert run.approval == "approved"

    def test_a_wrong_role_gets_403(self, world: World, login: Callable[[str], Client]) -> None:
        run = make_run(period("2026-Q1"))
        login("compadmin").post(reverse("comp:submit_run", args=[run.pk]))
        response = login("finance").post(
            reverse("comp:decide_run", args=[run.pk]), {"approve": "1"}
        )
        assert response.status_code == 403
        assert CalcRun.objects.get(pk=run.pk).approval == "pending"

    def test_reject_with_a_comment(self, world: World, login: Callable[[str], Client]) -> None:
        run = make_run(period("2026-Q1"))
        login("compadmin").post(reverse("comp:submit_run", args=[run.pk]))
        login("compadmin").post(
            reverse("comp:decide_run", args=[run.pk]), {"reject": "1", "comment": "Wrong FX"}
        )
        assert CalcRun.objects.get(pk=run.pk).approval == "rejected"

    def test_reps_do_not_find_runs(self, world: World, login: Callable[[str], Client]) -> None:
        run = make_run(period("2026-Q1"))
        assert login("rep1").get(reverse("comp:run_approval", args=[run.pk])).status_code == 404
        response = login("rep1").post(reverse("comp:submit_run", args=[run.pk]))
        assert response.status_code == 404
        assert CalcRun.objects.get(pk=run.pk).approval == "none"

    def test_post_differences_of_a_closed_period(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        q1 = period("2026-Q1")
        published = make_run(q1)
        add_payout(published, world.people["rep1"], "1000.00")
        publish(world, published)
        close.close_period(actor=world.users["finance"], period_key="2026-Q1")
        recalculation = make_run(q1)
        add_payout(recalculation, world.people["rep1"], "1100.00")
        page = login("finance").get(reverse("comp:run_approval", args=[recalculation.pk]))
        assert page.context["recalculation"] == "ready"
        assert page.context["can_submit"] is False
        login("finance").post(reverse("comp:post_differences", args=[recalculation.pk]))
        adjustment = Adjustment.objects.get()
        assert (adjustment.amount, adjustment.source, adjustment.origin_period) == (
            Decimal("100.0000"),
            "retro",
            q1,
        )
        page = login("finance").get(reverse("comp:run_approval", args=[recalculation.pk]))
        assert page.context["recalculation"] == "posted"
        assert [a.pk for a in page.context["retro"]] == [adjustment.pk]


@pytest.mark.django_db
class TestClosePage:
    def test_finance_closes(self, world: World, login: Callable[[str], Client]) -> None:
        run = publish(world, make_run(period("2026-Q1")))
        make_run(period("2026-Q2"))
        page = login("finance").get(reverse("comp:close"))
        rows = {row["period"].key: row for row in page.context["rows"]}
        assert rows["2026-Q1"]["published_run_id"] == run.pk
        assert rows["2026-Q2"]["published_run_id"] is None
        login("finance").post(reverse("comp:close_period", args=["2026-Q1"]))
        assert Period.objects.get(key="2026-Q1").status == "closed"

    def test_refusal_is_shown(self, world: World, login: Callable[[str], Client]) -> None:
        make_run(period("2026-Q2"))
        response = login("finance").post(
            reverse("comp:close_period", args=["2026-Q2"]), follow=True
        )
        assert any("no published run" in m for m in _messages(response))
        assert Period.objects.get(key="2026-Q2").status == "open"

    def test_comp_admins_may_not_close(self, world: World, login: Callable[[str], Client]) -> None:
        publish(world, make_run(period("2026-Q1")))
        assert login("compadmin").get(reverse("comp:close")).context["can_close"] is False
        response = login("compadmin").post(reverse("comp:close_period", args=["2026-Q1"]))
        assert response.status_code == 403
        assert Period.objects.get(key="2026-Q1").status == "open"


@pytest.mark.django_db
class TestExportPages:
    def test_preview_and_download(self, world: World, login: Callable[[str], Client]) -> None:
        run = make_run(period("2026-Q1"))
        add_payout(run, world.people["rep1"], "16000.00")
        publish(world, run)
        page = login("finance").get(reverse("comp:exports"))
        assert page.context["period_key"] == "2026-Q1"
        assert [(r.payee_id, r.amount) for r in page.context["payroll"]] == [
            ("REP1", Decimal("16000.00"))
        ]
        response = login("finance").get(reverse("comp:export", args=["payroll", "2026-Q1"]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "payroll-2026-Q1.csv" in response["Content-Disposition"]
        assert response.content.decode().splitlines()[1] == (
            "REP1,Rep1 Test,16000.00,USD,2026-04-15,COMM,2026-Q1"
        )
        for kind in ("accruals", "capitalization", "capitalization-journal"):
            assert (
                login("admin").get(reverse("comp:export", args=[kind, "2026-Q1"])).status_code
                == 200
            )

    def test_unpublished_period_is_refused_clearly(
        self, world: World, login: Callable[[str], Client]
    ) -> None:
        make_run(period("2026-Q1"))
        response = login("finance").get(reverse("comp:export", args=["payroll", "2026-Q1"]))
        assert response.status_code == 409
        assert b"no published run" in response.content

    @pytest.mark.parametrize("role", ["vp", "rep1", "manager1"])
    def test_others_may_not_export(
        self, world: World, login: Callable[[str], Client], role: str
    ) -> None:
        publish(world, make_run(period("2026-Q1")))
        assert (
            login(role).get(reverse("comp:export", args=["payroll", "2026-Q1"])).status_code == 403
        )
