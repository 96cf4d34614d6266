"""The import page: upload, dry run with row errors or a preview, confirm to write."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from openspm.imports import tasks, uploads, views
from openspm.sales.models import Transaction
from tests.factories import make_transaction
from tests.imports.conftest import Sales, fixture_bytes, snapshot

pytestmark = pytest.mark.django_db


def upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, fixture_bytes(name), content_type="text/csv")


def check(client: Client, name: str, *, htmx: bool = True):  # type: ignore[no-untyped-def]
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(
        reverse("imports:check"), {"entity": "transactions", "file": upload(name)}, **headers
    )


class TestStartPage:
    def test_comp_admin_sees_the_form_and_export_links(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        response = client.get(reverse("imports:start"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="import-form"' in html
        assert reverse("imports:export", args=["transactions", "csv"]) in html
        assert reverse("imports:export", args=["periods", "xlsx"]) in html
        names = [value for value, _label in response.context["form"].fields["entity"].choices]
        assert "transactions" in names
        assert "periods" not in names

    @pytest.mark.parametrize("role", ["finance", "manager1", "rep1", "partner"])
    def test_other_roles_get_403(self, client: Client, sales: Sales, role: str) -> None:
        client.force_login(sales.world.users[role])
        assert client.get(reverse("imports:start")).status_code == 403

    def test_anonymous_is_sent_to_login(self, client: Client, sales: Sales) -> None:
        response = client.get(reverse("imports:start"))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


class TestCheckAndConfirm:
    def test_bad_file_shows_every_row_error_and_writes_nothing(
        self, client: Client, sales: Sales
    ) -> None:
        client.force_login(sales.compadmin)
        before = snapshot()
        response = check(client, "transactions_bad_amounts.csv")
        assert response.status_code == 200
        assert response.templates[0].name == "imports/_result.html"
        errors = response.context["result"].errors
        assert [(e.row, e.column) for e in errors] == [
            (3, "amount"),
            (4, "cost_amount"),
            (5, "amount"),
        ]
        html = response.content.decode()
        assert 'data-testid="import-errors"' in html
        assert html.count('data-testid="import-error-row"') == 3
        assert 'data-row="3" data-column="amount"' in html
        assert 'data-testid="import-confirm"' not in html
        assert snapshot() == before

    def test_valid_file_previews_then_confirm_writes(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        before = snapshot()
        response = check(client, "transactions.csv")
        result = response.context["result"]
        assert (result.created, result.errors, result.written) == (3, [], False)
        assert 'data-testid="import-preview"' in response.content.decode()
        assert snapshot() == before
        token = response.context["token"]
        assert token

        done = client.post(reverse("imports:confirm"), {"token": token}, HTTP_HX_REQUEST="true")
        assert done.status_code == 200
        assert done.context["result"].written
        assert 'data-testid="import-done"' in done.content.decode()
        assert Transaction.objects.count() == 3
        assert Transaction.history.filter(history_user=sales.compadmin).count() == 3

    def test_a_token_is_used_once(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        token = check(client, "transactions.csv").context["token"]
        client.post(reverse("imports:confirm"), {"token": token})
        again = client.post(reverse("imports:confirm"), {"token": token})
        assert again.status_code == 404

    def test_another_users_token_is_not_found(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        token = check(client, "transactions.csv").context["token"]
        other = Client()
        other.force_login(sales.world.users["admin"])
        assert other.post(reverse("imports:confirm"), {"token": token}).status_code == 404
        assert Transaction.objects.count() == 0

    def test_without_htmx_the_whole_page_is_rendered(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        response = check(client, "transactions_unknown_currency.csv", htmx=False)
        assert response.templates[0].name == "imports/start.html"
        assert re.search(r"Unknown currency &#x27;XYZ&#x27;\.", response.content.decode())

    @pytest.mark.parametrize("role", ["finance", "rep1"])
    def test_other_roles_cannot_check_or_confirm(
        self, client: Client, sales: Sales, role: str
    ) -> None:
        client.force_login(sales.world.users[role])
        before = snapshot()
        assert check(client, "transactions.csv").status_code == 403
        assert client.post(reverse("imports:confirm"), {"token": "x" * 32}).status_code == 403
        assert snapshot() == before

    def test_missing_file_is_a_form_error(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        response = client.post(reverse("imports:check"), {"entity": "transactions"})
        assert response.status_code == 422
        assert "file" in response.context["form_errors"]


class TestExportDownload:
    def test_rep_downloads_only_their_rows(self, client: Client, sales: Sales) -> None:
        make_transaction(external_id="T-1", owner=sales.world.people["rep1"])
        make_transaction(external_id="T-2", owner=sales.world.people["rep3"])
        client.force_login(sales.world.users["rep1"])
        response = client.get(reverse("imports:export", args=["transactions", "csv"]))
        assert response.status_code == 200
        ids = [line.split(",")[0] for line in response.content.decode("utf-8-sig").splitlines()]
        assert ids == ["external_id", "T-1"]

    def test_xlsx_download(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        response = client.get(reverse("imports:export", args=["currencies", "xlsx"]))
        assert response["Content-Disposition"] == 'attachment; filename="currencies.xlsx"'
        assert response.content.startswith(b"PK")

    def test_unknown_entity_is_404(self, client: Client, sales: Sales) -> None:
        client.force_login(sales.compadmin)
        response = client.get(reverse("imports:export", args=["planets", "csv"]))
        assert response.status_code == 404


class TestBackgroundImport:
    @pytest.fixture(autouse=True)
    def _immediate_worker(self, settings: object, monkeypatch: pytest.MonkeyPatch) -> None:
        settings.TASKS = {  # type: ignore[attr-defined]
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }
        monkeypatch.setattr(views, "BACKGROUND_ROWS", 2)

    def test_a_large_file_is_checked_and_written_by_a_worker(
        self, client: Client, sales: Sales, django_capture_on_commit_callbacks: Any
    ) -> None:
        client.force_login(sales.compadmin)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            queued = check(client, "transactions.csv")
        assert len(callbacks) == 1
        assert (queued.context["progress"], queued.context["checking"]) == (
            {"state": "queued"},
            True,
        )
        token = queued.context["progress_token"]
        html = queued.content.decode()
        assert 'data-testid="import-running"' in html
        assert reverse("imports:status", args=[token]) in html
        assert Transaction.objects.count() == 0

        checked = client.get(reverse("imports:status", args=[token]), HTTP_HX_REQUEST="true")
        assert (checked.context["result"].created, checked.context["token"]) == (3, token)
        assert 'data-testid="import-confirm"' in checked.content.decode()
        assert Transaction.objects.count() == 0

        with django_capture_on_commit_callbacks(execute=True):
            writing = client.post(
                reverse("imports:confirm"), {"token": token}, HTTP_HX_REQUEST="true"
            )
        assert writing.context["checking"] is False
        assert Transaction.objects.count() == 3
        assert Transaction.history.filter(history_user=sales.compadmin).count() == 3

        done = client.get(reverse("imports:status", args=[token]), HTTP_HX_REQUEST="true")
        result = done.context["result"]
        assert (result.written, result.created, result.errors) == (True, 3, [])
        assert 'data-testid="import-done"' in done.content.decode()
        assert client.get(reverse("imports:status", args=[token])).status_code == 404

    def test_a_large_bad_file_shows_its_errors_from_the_worker(
        self, client: Client, sales: Sales, django_capture_on_commit_callbacks: Any
    ) -> None:
        client.force_login(sales.compadmin)
        before = snapshot()
        with django_capture_on_commit_callbacks(execute=True):
            token = check(client, "transactions_bad_dates.csv").context["progress_token"]
        checked = client.get(reverse("imports:status", args=[token]), HTTP_HX_REQUEST="true")
        errors = checked.context["result"].errors
        assert [(e.row, e.column) for e in errors] == [(3, "booked_on"), (4, "closed_on")]
        assert checked.context["token"] == ""
        assert 'data-testid="import-errors"' in checked.content.decode()
        assert snapshot() == before

    def test_status_of_someone_elses_import_is_not_found(
        self, client: Client, sales: Sales, django_capture_on_commit_callbacks: Any
    ) -> None:
        client.force_login(sales.compadmin)
        with django_capture_on_commit_callbacks(execute=True):
            token = check(client, "transactions.csv").context["progress_token"]
        other = Client()
        other.force_login(sales.world.users["admin"])
        assert other.get(reverse("imports:status", args=[token])).status_code == 404

    def test_running_twice_imports_once(self, sales: Sales) -> None:
        token = uploads.stash_upload(content=fixture_bytes("transactions.csv"))
        args = {"token": token, "entity": "transactions", "filename": "t.csv"}
        assert tasks.import_upload.call(**args, user_id=sales.compadmin.pk) == "done"
        assert tasks.import_upload.call(**args, user_id=sales.compadmin.pk) == "gone"
        assert Transaction.objects.count() == 3

    def test_a_refused_import_records_the_failure(self, sales: Sales) -> None:
        token = uploads.stash_upload(content=fixture_bytes("transactions.csv"))
        rep = sales.world.users["rep1"]
        result = tasks.import_upload.call(
            token=token, entity="transactions", filename="t.csv", user_id=rep.pk
        )
        assert result == "failed"
        status = uploads.read_status(token=token)
        assert status is not None
        assert status["state"] == "failed"
        assert Transaction.objects.count() == 0
