"""`openspm import` and `openspm export`."""

from __future__ import annotations

import importlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

from openspm.core.models import User
from openspm.sales.models import Transaction
from tests.imports.conftest import FIXTURES, Sales, snapshot

pytestmark = pytest.mark.django_db


def command(name: str) -> BaseCommand:
    module = importlib.import_module(f"openspm.imports.management.commands.{name}")
    return module.Command()  # type: ignore[no-any-return]


def run(name: str, *args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(command(name), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_openspm_import_and_export_are_ours() -> None:
    commands = get_commands()
    if commands["import"] != "openspm.imports":
        pytest.skip("settings: openspm.imports must come before import_export in INSTALLED_APPS")
    assert commands["export"] == "openspm.imports"


class TestImportCommand:
    def test_imports_a_file(self, sales: Sales) -> None:
        out, _err = run(
            "import", "transactions", str(FIXTURES / "transactions.csv"), "--as", "compadmin"
        )
        assert "imported 3 rows: 3 new, 0 updated, 0 unchanged, 0 deleted" in out
        assert Transaction.history.filter(history_user=sales.compadmin).count() == 3

    def test_errors_print_file_row_column_and_exit_non_zero(self, sales: Sales) -> None:
        path = FIXTURES / "transactions_bad_dates.csv"
        err = io.StringIO()
        before = snapshot()
        with pytest.raises(CommandError) as raised:
            call_command(
                command("import"), "transactions", str(path), "--as", "compadmin", stderr=err
            )
        assert raised.value.returncode == 1
        assert err.getvalue().splitlines() == [
            f"{path}:3: booked_on: '15/01/2026' is not a date: write it as YYYY-MM-DD "
            "(e.g. 2026-01-31).",
            f"{path}:4: closed_on: '2026-02-30' is not a real date.",
        ]
        assert snapshot() == before

    def test_dry_run_writes_nothing(self, sales: Sales) -> None:
        before = snapshot()
        out, _err = run(
            "import",
            "transactions",
            str(FIXTURES / "transactions.csv"),
            "--dry-run",
            "--as",
            "compadmin",
        )
        assert "would import 3 rows: 3 new" in out
        assert "(dry run: nothing written)" in out
        assert snapshot() == before

    def test_json_output(self, sales: Sales) -> None:
        out, _err = run(
            "import", "transactions", str(FIXTURES / "transactions.csv"), "--json", "--as", "admin"
        )
        result = json.loads(out)
        assert (result["created"], result["valid"], result["written"], result["errors"]) == (
            3,
            True,
            True,
            [],
        )

    def test_defaults_to_an_administrator(self, sales: Sales) -> None:
        run("import", "transactions", str(FIXTURES / "transactions.csv"))
        record = Transaction.history.first()
        assert record is not None
        assert record.history_user == sales.world.users["admin"]

    def test_a_superuser_comes_first(self, sales: Sales) -> None:
        root = User.objects.create_superuser("root", password="x")
        run("import", "transactions", str(FIXTURES / "transactions.csv"))
        assert {r.history_user for r in Transaction.history.all()} == {root}

    def test_without_any_administrator(self, sales: Sales) -> None:
        User.objects.filter(username="admin").update(is_active=False)
        with pytest.raises(CommandError, match="No administrator exists"):
            run("import", "transactions", str(FIXTURES / "transactions.csv"))

    @pytest.mark.parametrize("role", ["rep1", "manager1", "finance"])
    def test_refuses_users_who_may_not_import(self, sales: Sales, role: str) -> None:
        before = snapshot()
        with pytest.raises(CommandError, match="Only administrators and comp admins"):
            run("import", "transactions", str(FIXTURES / "transactions.csv"), "--as", role)
        assert snapshot() == before

    def test_unknown_user(self, sales: Sales) -> None:
        with pytest.raises(CommandError, match="No active user 'nobody'"):
            run("import", "transactions", str(FIXTURES / "transactions.csv"), "--as", "nobody")

    def test_missing_file(self, sales: Sales, tmp_path: Path) -> None:
        with pytest.raises(CommandError, match="no such file"):
            run("import", "transactions", str(tmp_path / "nope.csv"), "--as", "compadmin")

    def test_shows_progress_for_long_files(self, sales: Sales, tmp_path: Path) -> None:
        rows = "".join(f"T-{n},REP1,2026-01-15,{n}.00,USD\n" for n in range(600))
        path = tmp_path / "many.csv"
        path.write_text("external_id,owner,booked_on,amount,currency\n" + rows, encoding="utf-8")
        _out, err = run("import", "transactions", str(path), "--as", "compadmin")
        lines = err.splitlines()
        assert "checking rows: 500/600" in lines
        assert "writing rows: 600/600" in lines
        assert Transaction.objects.count() == 600


class TestExportCommand:
    @pytest.mark.parametrize("suffix", ["csv", "xlsx"])
    def test_round_trip(self, company: Sales, tmp_path: Path, suffix: str) -> None:
        path = tmp_path / f"tx.{suffix}"
        run("export", "transactions", str(path), "--as", "compadmin")
        assert path.read_bytes().startswith(
            b"PK" if suffix == "xlsx" else b"\xef\xbb\xbfexternal_id"
        )
        out, _err = run("import", "transactions", str(path), "--as", "compadmin")
        assert "0 new, 0 updated, 2 unchanged" in out

    def test_to_stdout(self, company: Sales) -> None:
        out, _err = run("export", "currencies", "-", "--as", "compadmin")
        assert out.splitlines() == ["code,name,minor_units", "EUR,EUR,2", "USD,USD,2"]

    def test_exports_only_what_the_user_sees(self, company: Sales) -> None:
        out, _err = run("export", "people", "-", "--as", "rep1")
        assert [line.split(",")[0] for line in out.splitlines()] == ["external_id", "REP1"]
