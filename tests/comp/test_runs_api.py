"""The runs API: list, detail with totals, start (409 while one is active), retry, simulate."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from openspm.comp.models import CalcRun
from openspm.comp.services import calc
from openspm.org.selectors import get_period
from openspm.org.services import ensure_fiscal_year
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.comp.test_simulate import draft_with_top_rate
from tests.factories import World

C = "/api/v1/comp"


def api(world: World, name: str, method: str, path: str, payload: object = None) -> Any:
    client = Client()
    client.force_login(world.users[name])
    response = client.generic(
        method,
        path,
        data=json.dumps(payload) if payload is not None else "",
        content_type="application/json",
    )
    response.data = response.json()  # type: ignore[attr-defined]
    return response


@pytest.mark.django_db
class TestRunsApi:
    def test_start_a_run(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        response = api(world, "compadmin", "POST", f"{C}/runs", {"period": "2026-Q1"})
        assert response.status_code == 201
        run = CalcRun.objects.get()
        assert response.data["id"] == run.pk
        assert (response.data["period"], response.data["trigger"], response.data["status"]) == (
            "2026-Q1",
            "api",
            "queued",
        )
        assert response.data["requested_by"] == "compadmin"

    def test_a_second_run_while_one_is_active_is_409(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        active = calc.request_run(actor=world.users["admin"], period_key="2026-Q1")
        response = api(world, "compadmin", "POST", f"{C}/runs", {"period": "2026-Q1"})
        assert response.status_code == 409
        assert (
            response.data["error"]
            == f"Run {active.pk} of 2026-Q1 is queued; wait for it to finish."
        )
        assert response.data["detail"] == {"run_id": active.pk}
        assert CalcRun.objects.count() == 1

    def test_unknown_period_is_404(self, world: World) -> None:
        response = api(world, "compadmin", "POST", f"{C}/runs", {"period": "1999-Q1"})
        assert response.status_code == 404
        assert not CalcRun.objects.exists()

    def test_detail_carries_totals_and_payees_as_strings(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        run = calc.execute_run(
            run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
        )
        response = api(world, "finance", "GET", f"{C}/runs/{run.pk}")
        assert response.status_code == 200
        data = response.data
        assert (data["status"], data["fingerprint"]) == ("succeeded", run.fingerprint)
        assert data["plan_versions"][0]["code"] == "ae"
        assert data["input_counts"]["transactions"] == 4
        assert data["totals"] == [{"currency": "USD", "amount": "18500.0000", "payee_count": 2}]
        assert [(p["external_id"], p["amount"]) for p in data["payees"]] == [
            ("REP1", "16000.0000"),
            ("REP2", "2500.0000"),
        ]
        listing = api(world, "finance", "GET", f"{C}/runs?period=2026-Q1")
        assert [r["id"] for r in listing.data["items"]] == [run.pk]
        assert api(world, "finance", "GET", f"{C}/runs?period=2026-Q2").data["items"] == []

    def test_retry_a_failed_run(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        failed = calc.execute_run(
            run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
        )
        response = api(world, "admin", "POST", f"{C}/runs/{failed.pk}/retry", {})
        assert response.status_code == 201
        assert response.data["id"] != failed.pk
        assert (response.data["status"], response.data["trigger"]) == ("queued", "api")
        again = api(world, "admin", "POST", f"{C}/runs/{failed.pk}/retry", {})
        assert again.status_code == 409

    def test_retry_of_a_succeeded_run_is_refused(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        run = CalcRun.objects.create(period=get_period(key="2026-Q1"), status="succeeded")
        response = api(world, "admin", "POST", f"{C}/runs/{run.pk}/retry", {})
        assert response.status_code == 422
        assert CalcRun.objects.count() == 1

    def test_simulation(self, world: World) -> None:
        published = publish_ae_plan(world)
        glossary_quarter(world)
        draft = draft_with_top_rate(world, published, "0.15")
        response = api(
            world,
            "finance",
            "POST",
            f"{C}/simulations",
            {"version_id": draft.pk, "period": "2026-Q1"},
        )
        assert response.status_code == 200
        data = response.data
        assert data["totals"] == [
            {
                "currency": "USD",
                "published_amount": "18500.00",
                "draft_amount": "20000.00",
                "difference": "1500.00",
            }
        ]
        rep1 = data["payees"][0]
        assert (rep1["external_id"], rep1["published_amount"], rep1["draft_amount"]) == (
            "REP1",
            "16000.00",
            "17500.00",
        )
        assert rep1["difference"] == "1500.00"
        assert rep1["causes"] == ["+1,500.00: rate on D2: 0.12 → 0.15 [commission]"]
        assert (data["published_plans"], data["draft_plans"]) == (["ae v1"], ["ae v2"])
        assert not CalcRun.objects.exists()
