"""The statement API: the page's content as JSON, money as strings; the acknowledgement."""

from __future__ import annotations

import pytest

from openspm.comp.models import CalcRun, StatementAcknowledgement
from tests.comp.test_statements import PERIOD, client_as, published  # noqa: F401 (fixture)
from tests.factories import World


def _url(world: World, name: str = "rep1", suffix: str = "") -> str:
    return f"/api/v1/comp/statements/{world.people[name].pk}/{PERIOD}{suffix}"


@pytest.mark.django_db
class TestStatementApi:
    def test_the_statement_as_json_with_money_as_strings(
        self,
        world: World,
        published: CalcRun,  # noqa: F811
    ) -> None:
        response = client_as(world, "rep1").get(_url(world))
        assert response.status_code == 200
        data = response.json()
        assert data["run_id"] == published.pk
        assert data["is_preliminary"] is False
        assert data["payout_totals"] == [{"amount": "16000.0000", "currency": "USD"}]
        [component] = data["components"]
        assert (component["plan_code"], component["component_id"]) == ("ae", "commission")
        assert component["totals"] == [{"amount": "16000.0000", "currency": "USD"}]
        tiers = {line["tier"]: line for line in component["lines"]}
        assert tiers["2"]["rate"] == "0.1200000000"
        assert tiers["2"]["amount"] == "6000.0000"
        assert tiers["2"]["credit_reason"] == "owner"
        assert (tiers["1"]["line_count"], tiers["2"]["line_count"]) == (2, 1)  # deal lines summed
        assert (tiers["1"]["transaction_ref"], tiers["1"]["measure_value"]) == ("", None)
        assert {m["measure_id"] for m in data["measures"]} == {"bookings"}
        assert data["payouts"][0]["transaction_refs"] == ["D1", "D2"]
        assert data["acknowledgement"] is None

    def test_another_payees_statement_is_not_found(
        self,
        world: World,
        published: CalcRun,  # noqa: F811
    ) -> None:
        response = client_as(world, "rep2").get(_url(world))
        assert response.status_code == 404
        assert set(response.json()) == {"error", "detail"}

    def test_acknowledging_twice_returns_the_same_acknowledgement(
        self,
        world: World,
        published: CalcRun,  # noqa: F811
    ) -> None:
        client = client_as(world, "rep1")
        first = client.post(_url(world, suffix="/acknowledge"), content_type="application/json")
        again = client.post(_url(world, suffix="/acknowledge"), content_type="application/json")
        assert first.status_code == again.status_code == 200
        assert first.json() == again.json()
        assert StatementAcknowledgement.objects.count() == 1
        assert client.get(_url(world)).json()["acknowledgement"] == first.json()
