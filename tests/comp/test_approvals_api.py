"""The payouts API: the approval flow, adjustments, close, differences and exports over HTTP
(tests/comp/matrix_payouts.py checks who may call what)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from openspm.comp.models import Adjustment, CalcRun
from openspm.comp.services import close
from openspm.org.models import Period
from tests.comp.test_approvals_factories import add_payout, make_run, period, publish
from tests.factories import World

C = "/api/v1/comp"


def _client(world: World, name: str) -> Client:
    client = Client()
    client.force_login(world.users[name])
    return client


def _post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    response = client.post(url, json.dumps(body or {}), content_type="application/json")
    response.data = response.json() if response.content else None  # type: ignore[attr-defined]
    return response


@pytest.mark.django_db
class TestRunApprovalApi:
    def test_submit_approve_approve_publishes(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        compadmin, finance = _client(world, "compadmin"), _client(world, "finance")
        submitted = _post(compadmin, f"{C}/runs/{run.pk}/submit")
        assert (submitted.status_code, submitted.data["approval"]) == (200, "pending")
        queue = finance.get(f"{C}/approvals").json()
        assert [(r["id"], r["next_step"]) for r in queue["items"]] == [(run.pk, 0)]
        first = _post(compadmin, f"{C}/runs/{run.pk}/decision", {"approve": True, "comment": "ok"})
        assert [s["decision"] for s in first.data["steps"]] == ["approved", ""]
        assert first.data["steps"][0]["actor"] == "compadmin"
        last = _post(finance, f"{C}/runs/{run.pk}/decision", {"approve": True})
        assert (last.data["approval"], last.data["next_step"]) == ("approved", None)
        assert last.data["published_at"] is not None
        assert finance.get(f"{C}/approvals").json()["items"] == []

    def test_same_person_twice_is_a_409(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        admin = _client(world, "admin")
        _post(_client(world, "compadmin"), f"{C}/runs/{run.pk}/submit")
        _post(admin, f"{C}/runs/{run.pk}/decision", {"approve": True})
        again = _post(admin, f"{C}/runs/{run.pk}/decision", {"approve": True})
        assert again.status_code == 409
        assert set(again.data) == {"error", "detail"}
        assert "someone else" in again.data["error"]

    def test_reject_without_comment_is_a_422(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        compadmin = _client(world, "compadmin")
        _post(compadmin, f"{C}/runs/{run.pk}/submit")
        refused = _post(compadmin, f"{C}/runs/{run.pk}/decision", {"approve": False})
        assert refused.status_code == 422
        rejected = _post(
            compadmin, f"{C}/runs/{run.pk}/decision", {"approve": False, "comment": "Bad FX"}
        )
        assert rejected.data["approval"] == "rejected"

    def test_publishing_a_closed_period_is_a_409(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        _post(_client(world, "compadmin"), f"{C}/runs/{run.pk}/submit")
        _post(_client(world, "compadmin"), f"{C}/runs/{run.pk}/decision", {"approve": True})
        Period.objects.filter(pk=run.period_id).update(status=Period.Status.CLOSED)
        refused = _post(_client(world, "finance"), f"{C}/runs/{run.pk}/decision", {"approve": True})
        assert refused.status_code == 409
        assert "closed" in refused.data["error"]
        assert CalcRun.objects.get(pk=run.pk).approval == "pending"


@pytest.mark.django_db
class TestAdjustmentsApi:
    def test_create_decide_and_filter(self, world: World) -> None:
        period("2026-Q1")
        created = _post(
            _client(world, "compadmin"),
            f"{C}/adjustments",
            {
                "person_id": world.people["rep1"].pk,
                "period": "2026-Q1",
                "amount": "-75.25",
                "currency": "USD",
                "reason_code": "recovery",
                "description": "Overpaid in January",
            },
        )
        assert created.status_code == 201
        assert (created.data["amount"], created.data["status"]) == ("-75.2500", "pending")
        pk = created.data["id"]
        decided = _post(
            _client(world, "finance"), f"{C}/adjustments/{pk}/decision", {"approve": True}
        )
        assert (decided.data["status"], decided.data["decided_by"]) == ("approved", "finance")
        rep1 = _client(world, "rep1").get(f"{C}/adjustments?period=2026-Q1&status=approved").json()
        assert [a["id"] for a in rep1["items"]] == [pk]
        assert _client(world, "rep2").get(f"{C}/adjustments").json()["items"] == []

    def test_unknown_reason_is_a_422(self, world: World) -> None:
        period("2026-Q1")
        response = _post(
            _client(world, "compadmin"),
            f"{C}/adjustments",
            {
                "person_id": world.people["rep1"].pk,
                "period": "2026-Q1",
                "amount": "10",
                "currency": "USD",
                "reason_code": "because",
                "description": "x",
            },
        )
        assert response.status_code == 422
        assert not Adjustment.objects.exists()


@pytest.mark.django_db
class TestCloseAndDifferencesApi:
    def test_close_then_post_differences(self, world: World) -> None:
        q1 = period("2026-Q1")
        published = make_run(q1)
        add_payout(published, world.people["rep1"], "1000.00")
        publish(world, published)
        finance = _client(world, "finance")
        closed = _post(finance, f"{C}/periods/2026-Q1/close")
        assert (closed.status_code, closed.data["status"], closed.data["closed_by"]) == (
            200,
            "closed",
            "finance",
        )
        again = _post(finance, f"{C}/periods/2026-Q1/close")
        assert again.status_code == 409
        recalculation = make_run(q1)
        add_payout(recalculation, world.people["rep1"], "900.00")
        posted = _post(finance, f"{C}/runs/{recalculation.pk}/differences")
        assert posted.status_code == 201
        [adjustment] = posted.data
        assert (adjustment["amount"], adjustment["origin_period"], adjustment["source"]) == (
            "-100.0000",
            "2026-Q1",
            "retro",
        )
        assert (
            adjustment["period"]
            == close.current_open_period(kind="quarter", on=timezone.localdate()).key
        )
        assert _post(finance, f"{C}/runs/{recalculation.pk}/differences").status_code == 409

    def test_close_without_published_run_is_a_409(self, world: World) -> None:
        make_run(period("2026-Q1"))
        response = _post(_client(world, "admin"), f"{C}/periods/2026-Q1/close")
        assert response.status_code == 409
        assert "no published run" in response.data["error"]


@pytest.mark.django_db
class TestExportsApi:
    def test_payroll_csv(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        add_payout(run, world.people["rep2"], "2500.00")
        publish(world, run)
        response = _client(world, "finance").get(f"{C}/exports/payroll?period=2026-Q1")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response.content.decode().splitlines()[1] == (
            "REP2,Rep2 Test,2500.00,USD,2026-04-15,COMM,2026-Q1"
        )

    def test_unpublished_is_a_409_and_unknown_kind_a_422(self, world: World) -> None:
        make_run(period("2026-Q1"))
        client = _client(world, "finance")
        response = client.get(f"{C}/exports/payroll?period=2026-Q1")
        assert response.status_code == 409
        assert "published" in response.json()["error"]
        assert client.get(f"{C}/exports/bonuses?period=2026-Q1").status_code == 422

    def test_amounts_never_go_through_float(self, world: World) -> None:
        run = make_run(period("2026-Q1"))
        add_payout(run, world.people["rep1"], "0.10")
        add_payout(run, world.people["rep1"], "0.20", component_id="spiff")
        publish(world, run)
        text = _client(world, "admin").get(f"{C}/exports/payroll?period=2026-Q1").content.decode()
        assert ",0.30,USD," in text
        assert Decimal(text.splitlines()[1].split(",")[2]) == Decimal("0.30")
