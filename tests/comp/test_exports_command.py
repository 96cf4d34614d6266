from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class

from openspm.comp.models import CalcRun
from tests.comp.test_approvals_factories import add_earning, add_payout, make_run, period, publish
from tests.factories import World, make_transaction


@pytest.fixture
def published(world: World) -> CalcRun:
    run = make_run(period("2026-Q1"))
    rep1 = world.people["rep1"]
    make_transaction(
        owner=rep1, amount=Decimal("720000"), booked_on=date(2026, 1, 15), external_id="G1"
    )
    add_earning(run, rep1, "36000.00", transaction_ref="G1")
    add_payout(run, rep1, "30000.00", held="6000.00")
    return publish(world, run)


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("payouts", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_help_lists_the_subcommands() -> None:
    command = load_command_class(get_commands()["payouts"], "payouts")
    text = command.create_parser("openspm", "payouts").format_help()
    for name in ("export-payroll", "export-accruals", "export-capitalization"):
        assert name in text


@pytest.mark.django_db
@pytest.mark.usefixtures("published")
class TestPayoutsCommand:
    def test_export_payroll_to_a_file(self, tmp_path: Path) -> None:
        target = tmp_path / "payroll.csv"
        _, err = _run("export-payroll", "2026-Q1", str(target))
        assert target.read_text(encoding="utf-8") == (
            "payee_id,payee_name,amount,currency,pay_date,earning_code,period\n"
            "REP1,Rep1 Test,30000.00,USD,2026-04-15,COMM,2026-Q1\n"
        )
        assert "payroll of 2026-Q1, 1 rows" in err

    def test_export_accruals_to_stdout(self) -> None:
        out, _ = _run("export-accruals", "2026-Q1", "-", "--as", "compadmin")
        assert out.splitlines()[1:] == [
            "2026-03-31,6100 Commission expense,36000.00,0.00,USD,REP1,"
            "2026-Q1 commissions of Rep1 Test: earned,",
            "2026-03-31,2110 Commissions payable,0.00,30000.00,USD,REP1,"
            "2026-Q1 commissions of Rep1 Test: paid,",
            "2026-03-31,2100 Accrued commissions,0.00,6000.00,USD,REP1,"
            '"2026-Q1 commissions of Rep1 Test: accrued (earned, not yet paid; held 6000.00)",',
        ]

    def test_export_capitalization_schedule_and_journal(self) -> None:
        out, _ = _run("export-capitalization", "2026-Q1", "-")
        rows = out.splitlines()
        assert len(rows) == 1 + 36
        assert rows[12].endswith(",2026-12,1000.00,24000.00")
        journal, _ = _run("export-capitalization", "2026-Q1", "-", "--journal")
        assert journal.splitlines()[1].startswith(
            "2026-01-15,1450 Capitalised contract costs,36000.00,0.00"
        )

    def test_refusals_are_command_errors(self) -> None:
        with pytest.raises(CommandError, match="2026-Q2 has no published run"):
            _run("export-payroll", "2026-Q2", "-")
        with pytest.raises(CommandError, match="Only finance"):
            _run("export-payroll", "2026-Q1", "-", "--as", "rep1")
        with pytest.raises(CommandError, match="No active user"):
            _run("export-payroll", "2026-Q1", "-", "--as", "nobody")
