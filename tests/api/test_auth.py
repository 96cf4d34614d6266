"""Session (with CSRF) and scoped bearer tokens: creation, scopes, expiry, revocation."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.test import Client, RequestFactory
from django.utils import timezone

from openspm.api.auth import accepted_scopes
from openspm.core import services as core_services
from openspm.core.errors import InvalidInput, NotFound
from openspm.core.models import ApiToken
from tests.api.conftest import Company, call, client_for, snapshot
from tests.factories import PASSWORD


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def token_for(company: Company, role: str, *scopes: str, **fields: object) -> str:
    _, key = core_services.create_api_token(
        user=company.users[role], name=f"{role} test", scopes=scopes, **fields
    )
    return key


class TestTokenService:
    def test_stores_only_the_hash_of_the_key(self, company: Company) -> None:
        token, key = core_services.create_api_token(
            user=company.users["rep1"], name="ci", scopes=["read", "write"]
        )
        token.refresh_from_db()
        assert key.startswith("ospm_")
        assert token.key_hash == ApiToken.hash_key(key)
        assert key not in {token.key_hash, token.prefix}
        assert token.prefix == key[:12]
        assert token.scopes == ["read", "write"]

    def test_refuses_unknown_or_no_scopes(self, company: Company) -> None:
        with pytest.raises(InvalidInput, match="admin"):
            core_services.create_api_token(
                user=company.users["rep1"], name="x", scopes=["read", "admin"]
            )
        with pytest.raises(InvalidInput):
            core_services.create_api_token(user=company.users["rep1"], name="x", scopes=[])
        assert not ApiToken.objects.filter(name="x").exists()

    def test_refuses_an_expiry_in_the_past(self, company: Company) -> None:
        with pytest.raises(InvalidInput):
            core_services.create_api_token(
                user=company.users["rep1"],
                name="old",
                scopes=["read"],
                expires_at=timezone.now() - timedelta(days=1),
            )

    def test_revoking_someone_elses_token_is_not_found(self, company: Company) -> None:
        token, _ = company.tokens["rep1"]
        with pytest.raises(NotFound):
            core_services.revoke_api_token(actor=company.users["admin"], token_id=token.pk)
        token.refresh_from_db()
        assert token.revoked_at is None

    def test_revoke_is_idempotent(self, company: Company) -> None:
        token, _ = company.tokens["rep1"]
        first = core_services.revoke_api_token(actor=company.users["rep1"], token_id=token.pk)
        second = core_services.revoke_api_token(actor=company.users["rep1"], token_id=token.pk)
        assert first.revoked_at == second.revoked_at is not None


class TestBearerToken:
    def test_a_reps_token_sees_only_the_reps_rows(self, company: Company) -> None:
        key = token_for(company, "rep1", "read")
        response = call(Client(), "GET", "/api/v1/sales/transactions", **bearer(key))
        assert response.status_code == 200
        ids = {item["id"] for item in response.data["items"]}
        assert ids == company.ids("transactions", {"rep1", "shared"})
        people = call(Client(), "GET", "/api/v1/org/people", **bearer(key)).data["items"]
        assert [p["external_id"] for p in people] == ["REP1"]

    def test_a_managers_token_sees_the_team(self, company: Company) -> None:
        key = token_for(company, "manager1", "read")
        response = call(Client(), "GET", "/api/v1/quotas", **bearer(key))
        assert {q["person_id"] for q in response.data["items"]} == {
            company.people[n].pk for n in ("manager1", "rep1", "rep2")
        }

    def test_guessing_another_payees_row_is_404(self, company: Company) -> None:
        key = token_for(company, "rep1", "read")
        other = company.rows["transactions"]["rep2"].pk
        response = call(Client(), "GET", f"/api/v1/sales/transactions/{other}", **bearer(key))
        assert response.status_code == 404

    def test_a_write_needs_the_write_scope(self, company: Company) -> None:
        key = token_for(company, "compadmin", "read")
        target = company.people["rep1"]
        before = snapshot()
        response = call(
            Client(),
            "PATCH",
            f"/api/v1/org/people/{target.pk}",
            {"title": "VP"},
            **bearer(key),
        )
        assert response.status_code == 403
        assert response.data == {"error": "This token needs the write scope.", "detail": None}
        assert snapshot() == before

    def test_a_write_token_writes_without_a_csrf_token(self, company: Company) -> None:
        key = token_for(company, "compadmin", "write")
        target = company.people["rep1"]
        client = Client(enforce_csrf_checks=True)
        response = call(
            client, "PATCH", f"/api/v1/org/people/{target.pk}", {"title": "VP"}, **bearer(key)
        )
        assert response.status_code == 200
        target.refresh_from_db()
        assert target.title == "VP"

    def test_a_read_needs_the_read_scope(self, company: Company) -> None:
        key = token_for(company, "compadmin", "write")
        response = call(Client(), "GET", "/api/v1/org/people", **bearer(key))
        assert response.status_code == 403

    def test_a_write_token_of_a_rep_still_cannot_write(self, company: Company) -> None:
        key = token_for(company, "rep1", "read", "write")
        me = company.people["rep1"]
        before = snapshot(exclude=("core.ApiToken",))  # using a token stamps last_used_at
        response = call(
            Client(), "PATCH", f"/api/v1/org/people/{me.pk}", {"title": "CEO"}, **bearer(key)
        )
        assert response.status_code == 403
        assert snapshot(exclude=("core.ApiToken",)) == before

    @pytest.mark.parametrize(
        "state",
        ["revoked", "expired", "inactive user", "unknown key"],
    )
    def test_a_dead_token_is_401(self, company: Company, state: str) -> None:
        token, key = core_services.create_api_token(
            user=company.users["rep1"], name="t", scopes=["read"]
        )
        if state == "revoked":
            core_services.revoke_api_token(actor=company.users["rep1"], token_id=token.pk)
        elif state == "expired":
            ApiToken.objects.filter(pk=token.pk).update(
                expires_at=timezone.now() - timedelta(seconds=1)
            )
        elif state == "inactive user":
            company.users["rep1"].is_active = False
            company.users["rep1"].save()
        else:
            key += "x"
        response = call(Client(), "GET", "/api/v1/org/people", **bearer(key))
        assert response.status_code == 401
        assert set(response.data) == {"error", "detail"}

    def test_records_when_it_was_last_used(self, company: Company) -> None:
        token, key = core_services.create_api_token(
            user=company.users["rep1"], name="t", scopes=["read"]
        )
        assert token.last_used_at is None
        call(Client(), "GET", "/api/v1/org/people", **bearer(key))
        token.refresh_from_db()
        assert token.last_used_at is not None

    def test_a_token_cannot_create_tokens(self, company: Company) -> None:
        key = token_for(company, "admin", "read", "write", "import")
        before = ApiToken.objects.count()
        response = call(
            Client(), "POST", "/api/v1/tokens", {"name": "child", "scopes": ["read"]}, **bearer(key)
        )
        assert response.status_code == 401
        assert ApiToken.objects.count() == before

    def test_a_token_can_revoke_itself(self, company: Company) -> None:
        token, key = core_services.create_api_token(
            user=company.users["rep1"], name="t", scopes=["read", "write"]
        )
        response = call(Client(), "POST", f"/api/v1/tokens/{token.pk}/revoke", **bearer(key))
        assert response.status_code == 200
        again = call(Client(), "GET", "/api/v1/org/people", **bearer(key))
        assert again.status_code == 401


class TestAcceptedScopes:
    @pytest.mark.parametrize(
        ("method", "path", "scopes"),
        [
            ("GET", "/api/v1/org/people", ("read",)),
            ("HEAD", "/api/v1/org/people", ("read",)),
            ("POST", "/api/v1/org/people", ("write",)),
            ("PATCH", "/api/v1/org/people/1", ("write",)),
            ("POST", "/api/v1/imports/transactions", ("import",)),
            ("GET", "/api/v1/imports/transactions/export", ("read", "import")),
        ],
    )
    def test_by_method_and_path(self, method: str, path: str, scopes: tuple[str, ...]) -> None:
        request = RequestFactory().generic(method, path)
        assert accepted_scopes(request) == scopes


class TestSession:
    def test_anonymous_is_401_with_a_bearer_challenge(self, company: Company) -> None:
        response = call(Client(), "GET", "/api/v1/org/people")
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert set(response.data) == {"error", "detail"}

    def test_anonymous_unsafe_request_is_401_not_a_csrf_403(self, company: Company) -> None:
        response = call(Client(enforce_csrf_checks=True), "POST", "/api/v1/org/teams", {})
        assert response.status_code == 401

    def test_a_session_write_needs_the_csrf_token(self, company: Company) -> None:
        client = Client(enforce_csrf_checks=True)
        assert client.login(username="compadmin", password=PASSWORD)
        payload = {"code": "north", "name": "North"}
        refused = call(client, "POST", "/api/v1/org/teams", payload)
        assert refused.status_code == 403
        assert set(refused.data) == {"error", "detail"}
        client.get("/api/v1/docs")  # any page that sets the CSRF cookie
        csrf = client.cookies["csrftoken"].value
        accepted = call(client, "POST", "/api/v1/org/teams", payload, **{"X-CSRFToken": csrf})
        assert accepted.status_code == 201

    def test_a_session_creates_lists_and_revokes_its_tokens(self, company: Company) -> None:
        client = client_for(company, "rep2")
        created = call(
            client, "POST", "/api/v1/tokens", {"name": "laptop", "scopes": ["read", "write"]}
        )
        assert created.status_code == 201
        key = created.data["key"]
        assert created.data["scopes"] == ["read", "write"]
        assert ApiToken.objects.get(pk=created.data["id"]).key_hash == ApiToken.hash_key(key)
        listed = call(client, "GET", "/api/v1/tokens")
        assert [t["name"] for t in listed.data["items"]] == ["laptop"]
        assert "key" not in listed.data["items"][0]
        works = call(Client(), "GET", "/api/v1/org/people", **bearer(key))
        assert [p["external_id"] for p in works.data["items"]] == ["REP2"]
        revoked = call(client, "POST", f"/api/v1/tokens/{created.data['id']}/revoke")
        assert revoked.data["revoked_at"] is not None
        assert call(Client(), "GET", "/api/v1/org/people", **bearer(key)).status_code == 401

    def test_creating_a_token_with_a_bad_scope_is_422(self, company: Company) -> None:
        client = client_for(company, "rep2")
        response = call(client, "POST", "/api/v1/tokens", {"name": "x", "scopes": ["sudo"]})
        assert response.status_code == 422
        assert not ApiToken.objects.filter(name="x").exists()


class TestCreateTokenCommand:
    def test_has_help_and_is_documented(self) -> None:
        command = load_command_class(get_commands()["createtoken"], "createtoken")
        usage = command.create_parser("openspm", "createtoken").format_help()
        assert usage.startswith("usage: openspm createtoken")
        assert "--scopes" in usage
        docs = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
        assert "`openspm createtoken USERNAME --scopes read,write --name NAME" in docs

    def test_prints_a_working_key_once(self, company: Company) -> None:
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "createtoken",
            "manager1",
            "--scopes",
            "read,write",
            "--name",
            "etl",
            stdout=out,
            stderr=err,
        )
        key = out.getvalue().strip()
        token = ApiToken.objects.get(name="etl")
        assert token.user == company.users["manager1"]
        assert token.scopes == ["read", "write"]
        assert token.key_hash == ApiToken.hash_key(key)
        assert "not shown again" in err.getvalue()
        response = call(Client(), "GET", "/api/v1/org/people", **bearer(key))
        assert {p["id"] for p in response.data["items"]} == {
            company.people[n].pk for n in ("manager1", "rep1", "rep2")
        }

    def test_expires_after_the_given_days(self, company: Company) -> None:
        call_command(
            "createtoken", "rep1", "--expires-days", "7", stdout=io.StringIO(), stderr=io.StringIO()
        )
        token = ApiToken.objects.get(name="cli")
        assert token.expires_at is not None
        assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["nobody"], "No user"),
            (["rep1", "--scopes", "read,root"], "Unknown scope"),
            (["rep1", "--expires-days", "0"], "at least 1"),
        ],
    )
    def test_refuses_bad_input(self, company: Company, args: list[str], message: str) -> None:
        before = ApiToken.objects.count()
        with pytest.raises(CommandError, match=message):
            call_command("createtoken", *args, stdout=io.StringIO(), stderr=io.StringIO())
        assert ApiToken.objects.count() == before
