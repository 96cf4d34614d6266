"""Every API error has the body {"error": message, "detail": structure or null}."""

from __future__ import annotations

from django.test import Client

from tests.api.conftest import Company, call, client_for, snapshot


class TestErrorShape:
    def test_401_when_not_signed_in(self, company: Company) -> None:
        response = call(Client(), "GET", "/api/v1/sales/transactions")
        assert response.status_code == 401
        assert response.data == {
            "error": "Authentication required: sign in, or send a bearer token.",
            "detail": None,
        }

    def test_403_when_the_role_may_not_write(self, company: Company) -> None:
        response = call(
            client_for(company, "finance"), "POST", "/api/v1/org/teams", {"code": "x", "name": "X"}
        )
        assert response.status_code == 403
        assert response.data["detail"] is None
        assert "administrators and comp admins" in response.data["error"]

    def test_404_for_a_row_outside_the_scope(self, company: Company) -> None:
        other = company.rows["quotas"]["rep2"].pk
        response = call(client_for(company, "rep1"), "GET", f"/api/v1/quotas/{other}")
        assert response.status_code == 404
        assert response.data == {"error": "No such quota.", "detail": None}

    def test_422_from_schema_validation(self, company: Company) -> None:
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/org/people",
            {"first_name": "No", "hired_on": "not a date"},
        )
        assert response.status_code == 422
        assert response.data["error"] == "Invalid input."
        locations = {tuple(e["loc"][-1:]) for e in response.data["detail"]}
        assert {("external_id",), ("last_name",), ("hired_on",)} <= locations
        assert all(set(e) == {"loc", "msg", "type"} for e in response.data["detail"])

    def test_422_from_a_bad_query_parameter(self, company: Company) -> None:
        response = call(
            client_for(company, "admin"), "GET", "/api/v1/sales/transactions?booked_from=soon"
        )
        assert response.status_code == 422
        assert set(response.data) == {"error", "detail"}

    def test_422_from_model_validation(self, company: Company) -> None:
        before = snapshot()
        response = call(
            client_for(company, "admin"),
            "POST",
            "/api/v1/org/people",
            {
                "external_id": "REP1",
                "first_name": "Dup",
                "last_name": "Licate",
                "hired_on": "2026-01-01",
                "terminated_on": "2025-01-01",
            },
        )
        assert response.status_code == 422
        assert response.data["error"] == "Invalid input."
        assert "external_id" in response.data["detail"]
        assert snapshot() == before

    def test_400_for_a_body_that_is_not_json(self, company: Company) -> None:
        response = client_for(company, "admin").generic(
            "POST", "/api/v1/org/teams", "{not json", content_type="application/json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"error", "detail"}
