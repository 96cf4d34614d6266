"""Money, rates and percentages cross the API as decimal strings; no float ever enters (M2)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import RequestFactory

from openspm.api.api import DecimalJSONParser, api
from openspm.sales.models import FxRate, Transaction
from openspm.sales.schemas import _decimal_text
from tests.api.conftest import Company, call, client_for


def _no_floats(text: str) -> Any:
    def refuse(literal: str) -> None:
        raise AssertionError(f"a JSON number {literal} in an API response")

    return json.loads(text, parse_float=refuse)


class TestOutput:
    def test_amounts_are_strings_at_full_scale(self, company: Company) -> None:
        tx = company.rows["transactions"]["vp"]
        response = call(client_for(company, "admin"), "GET", f"/api/v1/sales/transactions/{tx.pk}")
        assert b'"amount": "1234.5000"' in response.content
        data = _no_floats(response.content.decode())
        assert data["amount"] == "1234.5000"
        assert data["quantity"] == "1.0000"

    def test_split_percentages_are_strings(self, company: Company) -> None:
        tx = company.rows["transactions"]["shared"]
        response = call(client_for(company, "rep1"), "GET", f"/api/v1/sales/transactions/{tx.pk}")
        splits = _no_floats(response.content.decode())["splits"]
        assert sorted(s["split_percent"] for s in splits) == ["40.0000", "60.0000"]

    @pytest.mark.parametrize(
        ("path", "key", "expected"),
        [
            ("/api/v1/sales/fx-rates", "rate", "1.0850000000"),
            ("/api/v1/quotas", "amount", "100000.0000"),
            ("/api/v1/sales/transactions", "amount", "5000.0000"),
        ],
    )
    def test_lists_carry_no_json_numbers_for_money(
        self, company: Company, path: str, key: str, expected: str
    ) -> None:
        response = call(client_for(company, "admin"), "GET", path)
        items = _no_floats(response.content.decode())["items"]
        assert expected in {item[key] for item in items}

    def test_a_zero_rate_is_never_in_exponent_notation(self) -> None:
        assert _decimal_text(Decimal("0E-10")) == "0.0000000000"
        assert _decimal_text(Decimal("1E+3")) == "1000"

    def test_the_openapi_document_says_money_is_a_string(self) -> None:
        schemas = api.get_openapi_schema()["components"]["schemas"]
        assert schemas["TransactionOut"]["properties"]["amount"]["type"] == "string"
        assert schemas["FxRateOut"]["properties"]["rate"]["type"] == "string"


class TestInput:
    """A JSON number is read from its literal text (never through a float); a string works."""

    def test_the_parser_reads_numbers_as_decimals_from_their_text(self) -> None:
        request = RequestFactory().post(
            "/", b'{"a": 1.10, "b": 0.1, "c": 3, "d": 1e2}', content_type="application/json"
        )
        parsed = DecimalJSONParser().parse_body(request)
        assert parsed == {"a": Decimal("1.10"), "b": Decimal("0.1"), "c": 3, "d": Decimal("1e2")}
        assert str(parsed["a"]) == "1.10"
        assert not any(isinstance(v, float) for v in parsed.values())

    def test_a_number_is_taken_exactly(self, company: Company) -> None:
        body = (
            '{"currency": "EUR", "quote_currency": "GBP", "rate_on": "2026-03-01", '
            '"rate": 0.1234567891}'
        )
        response = client_for(company, "admin").post(
            "/api/v1/sales/fx-rates", body, content_type="application/json"
        )
        assert response.status_code == 201
        assert response.json()["rate"] == "0.1234567891"
        assert FxRate.objects.get(pk=response.json()["id"]).rate == Decimal("0.1234567891")

    @pytest.mark.parametrize("amount", ["0.1", '"0.1"'])
    def test_point_one_is_point_one(self, company: Company, amount: str) -> None:
        owner = company.people["rep1"].pk
        body = (
            f'{{"external_id": "T-TENTH", "owner_id": {owner}, "booked_on": "2026-03-01", '
            f'"amount": {amount}, "currency": "USD"}}'
        )
        response = client_for(company, "admin").post(
            "/api/v1/sales/transactions", body, content_type="application/json"
        )
        assert response.status_code == 201
        assert response.json()["amount"] == "0.1000"
        assert Transaction.objects.get(external_id="T-TENTH").amount == Decimal("0.1")

    def test_more_decimals_than_the_column_holds_is_refused_not_rounded(
        self, company: Company
    ) -> None:
        owner = company.people["rep1"].pk
        body = (
            f'{{"external_id": "T-FINE", "owner_id": {owner}, "booked_on": "2026-03-01", '
            f'"amount": 10.00005, "currency": "USD"}}'
        )
        response = client_for(company, "admin").post(
            "/api/v1/sales/transactions", body, content_type="application/json"
        )
        assert response.status_code == 422
        assert not Transaction.objects.filter(external_id="T-FINE").exists()

    @pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
    def test_nan_and_infinity_are_refused(self, company: Company, literal: str) -> None:
        body = (
            '{"currency": "EUR", "quote_currency": "GBP", "rate_on": "2026-03-01", '
            f'"rate": {literal}}}'
        )
        response = client_for(company, "admin").post(
            "/api/v1/sales/fx-rates", body, content_type="application/json"
        )
        assert response.status_code == 400
        assert not FxRate.objects.filter(rate_on="2026-03-01").exists()
