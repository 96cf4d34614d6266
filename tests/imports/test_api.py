"""POST /api/v1/imports/{entity} and GET /api/v1/imports/{entity}/export, by session and token."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from openspm.core.models import ApiToken, User
from openspm.sales.models import Transaction
from tests.factories import make_transaction
from tests.imports.conftest import Sales, fixture_bytes, snapshot

pytestmark = pytest.mark.django_db


def token_for(user: User, scopes: list[str]) -> str:
    key = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, name="ci", prefix=key[:9], key_hash=ApiToken.hash_key(key), scopes=scopes
    )
    return key


def upload(name: str = "transactions.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, fixture_bytes(name), content_type="text/csv")


def post(client: Client, entity: str, file: SimpleUploadedFile, **extra: object):  # type: ignore[no-untyped-def]
    data: dict[str, object] = {"file": file}
    if "dry_run" in extra:
        data["dry_run"] = extra.pop("dry_run")
    return client.post(f"/api/v1/imports/{entity}", data, **extra)


class TestImportBySession:
    def test_comp_admin_imports(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        response = post(client, "transactions", upload())
        assert response.status_code == 200
        body = response.json()
        assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (
            3,
            0,
            0,
            [],
        )
        assert body["written"] is True
        assert Transaction.objects.count() == 3

    def test_dry_run_writes_nothing(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        before = snapshot()
        response = post(client, "transactions", upload(), dry_run="true")
        assert response.status_code == 200
        assert (response.json()["created"], response.json()["written"]) == (3, False)
        assert snapshot() == before

    def test_invalid_file_is_422_with_every_row_error(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        before = snapshot()
        response = post(client, "transactions", upload("transactions_bad_dates.csv"))
        assert response.status_code == 422
        errors = response.json()["errors"]
        assert [(e["row"], e["column"]) for e in errors] == [(3, "booked_on"), (4, "closed_on")]
        assert errors[1]["message"] == "'2026-02-30' is not a real date."
        assert snapshot() == before

    @pytest.mark.parametrize("role", ["finance", "manager1", "rep1", "partner"])
    def test_other_roles_are_refused(self, client: Client, sales: Sales, role: str) -> None:
        client.force_login(sales.world.users[role])
        before = snapshot()
        response = post(client, "transactions", upload())
        assert response.status_code == 403
        assert snapshot() == before

    def test_anonymous_is_refused(self, client: Client, sales: Sales) -> None:
        assert post(client, "transactions", upload()).status_code == 401

    def test_unknown_entity_is_404(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        assert post(client, "planets", upload()).status_code == 404


class TestImportByToken:
    def test_token_with_import_scope(self, client: Client, sales: Sales) -> None:
        key = token_for(sales.compadmin, ["import"])
        response = post(client, "transactions", upload(), HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 200
        assert Transaction.objects.count() == 3
        assert Transaction.history.filter(history_user=sales.compadmin).count() == 3

    def test_token_without_import_scope(self, client: Client, sales: Sales) -> None:
        key = token_for(sales.compadmin, ["read", "write"])
        before = snapshot()
        response = post(client, "transactions", upload(), HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 403
        assert snapshot() == before

    def test_token_of_a_rep_with_import_scope(self, client: Client, sales: Sales) -> None:
        key = token_for(sales.world.users["rep1"], ["import"])
        before = snapshot()
        response = post(client, "transactions", upload(), HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 403
        assert snapshot() == before


class TestExport:
    def test_csv_export_by_token(self, client: Client, sales: Sales) -> None:
        make_transaction(external_id="T-1", owner=sales.world.people["rep1"])
        key = token_for(sales.compadmin, ["read"])
        response = client.get(
            "/api/v1/imports/transactions/export?format=csv", HTTP_AUTHORIZATION=f"Bearer {key}"
        )
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="transactions.csv"'
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0].startswith("external_id,account,product,owner,booked_on")
        assert lines[1].startswith("T-1,,,REP1,2026-01-15")

    def test_export_shows_only_what_the_viewer_sees(self, client: Client, sales: Sales) -> None:
        people = sales.world.people
        make_transaction(external_id="T-1", owner=people["rep1"])
        make_transaction(external_id="T-2", owner=people["rep2"])
        make_transaction(external_id="T-3", owner=people["rep3"])
        client.force_login(sales.world.users["rep1"])
        response = client.get("/api/v1/imports/transactions/export")
        ids = [line.split(",")[0] for line in response.content.decode("utf-8-sig").splitlines()]
        assert ids == ["external_id", "T-1"]

    def test_token_without_read_or_import_scope(self, client: Client, sales: Sales) -> None:
        key = token_for(sales.compadmin, ["write"])
        response = client.get("/api/v1/imports/people/export", HTTP_AUTHORIZATION=f"Bearer {key}")
        assert response.status_code == 403

    def test_unknown_format(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        response = client.get("/api/v1/imports/people/export?format=pdf")
        assert response.status_code == 422

    def test_entities_list_their_columns(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        entities = {e["name"]: e for e in client.get("/api/v1/imports").json()}
        assert entities["quotas"]["columns"] == [
            "person",
            "period",
            "measure",
            "amount",
            "currency",
        ]
        assert entities["quotas"]["required_columns"] == ["person", "period", "amount"]
        assert entities["periods"]["importable"] is False
