from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from openspm.comp import archive
from openspm.comp.errors import RunInProgress
from openspm.comp.models import CalcRun, EarningLine, PayoutLine
from openspm.comp.services import calc
from openspm.core.errors import OpenSPMError, PermissionDenied
from openspm.org.services import ensure_fiscal_year
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.factories import World


def _run(world: World, period: str = "2026-Q1") -> CalcRun:
    run = calc.request_run(actor=world.users["compadmin"], period_key=period)
    return calc.execute_run(run_id=run.pk)


@pytest.mark.django_db
class TestExecuteRun:
    def test_glossary_quarter_pays_to_the_cent(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        run = _run(world)
        assert run.status == "succeeded", run.error
        assert len(run.fingerprint) == 64
        assert run.plan_versions == [
            {"code": "ae", "version": 1, "fingerprint": run.plan_versions[0]["fingerprint"]}
        ]
        payouts = {
            line.person.external_id: line.amount
            for line in PayoutLine.objects.filter(run=run).select_related("person")
        }
        assert payouts == {"REP1": Decimal("16000.00"), "REP2": Decimal("2500.00")}
        # rep1's deal lines summed per tier: D1 and D2's slice below quota, D2's above it.
        tiers = EarningLine.objects.filter(run=run, person=world.people["rep1"]).order_by("tier")
        assert [(t.tier, t.rate, t.line_count, t.amount) for t in tiers] == [
            ("1", Decimal("0.05"), 2, Decimal("10000.00")),
            ("2", Decimal("0.12"), 1, Decimal("6000.00")),
        ]
        earnings = archive.read_output(run.pk, "earnings").to_pylist()
        d2 = sorted((r["tier"], r["amount"]) for r in earnings if r["transaction_id"] == "D2")
        assert d2 == [("1", Decimal(2500)), ("2", Decimal(6000))]
        # The cancelled deal is credited (credits are the record) but the measure filters it out.
        credits = archive.read_output(run.pk, "credits").to_pylist()
        assert [c["payee_id"] for c in credits if c["transaction_id"] == "D4"] == ["REP2"]
        assert not [r for r in earnings if r["transaction_id"] == "D4"]

    def test_same_inputs_same_fingerprint_and_reproducible(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        first = _run(world)
        second = _run(world)
        assert first.fingerprint == second.fingerprint
        assert calc.reproduce_run(run_id=first.pk) is True

    def test_an_archive_with_the_old_fingerprint_column_still_reproduces(
        self, world: World
    ) -> None:
        """Archives written before 2026-11-25 repeat the fingerprint on every output row."""
        publish_ae_plan(world)
        glossary_quarter(world)
        run = _run(world)
        path = archive.run_dir(run.pk) / "outputs" / "earnings.parquet"
        table = pq.read_table(path)
        fingerprints = pa.array([run.fingerprint] * table.num_rows, pa.string())
        pq.write_table(table.add_column(0, "run_fingerprint", fingerprints), path)
        assert calc.reproduce_run(run_id=run.pk) is True
        amount = table.schema.field("amount")
        zeros = pa.array([Decimal(0)] * table.num_rows, amount.type)
        pq.write_table(
            table.set_column(table.schema.get_field_index("amount"), amount, zeros), path
        )
        assert calc.reproduce_run(run_id=run.pk) is False  # the comparison still compares

    def test_second_run_while_one_is_active_is_refused(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        with pytest.raises(RunInProgress, match="wait"):
            calc.request_run(actor=world.users["admin"], period_key="2026-Q1")
        assert CalcRun.objects.count() == 1

    def test_executing_twice_claims_once(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        calc.execute_run(run_id=run.pk)
        lines = PayoutLine.objects.filter(run=run).count()
        calc.execute_run(run_id=run.pk)
        assert PayoutLine.objects.filter(run=run).count() == lines

    def test_no_plan_fails_with_a_clear_message(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        run = _run(world)
        assert run.status == "failed"
        assert "No published plan" in run.error
        assert not PayoutLine.objects.filter(run=run).exists()

    def test_bad_data_fails_the_run_and_keeps_no_lines(self, world: World) -> None:
        publish_ae_plan(world)
        glossary_quarter(world)
        from openspm.quotas.models import Quota

        Quota.objects.filter(person=world.people["rep2"]).delete()
        run = _run(world)
        assert run.status == "failed"
        assert "quota" in run.error.lower()
        assert not PayoutLine.objects.filter(run=run).exists()

    def test_an_archive_that_cannot_be_written_fails_the_run_and_keeps_no_lines(
        self, world: World, tmp_path: Path, settings: pytest.FixtureRequest
    ) -> None:
        """The archive is written in a thread beside the lines; its failure still fails the
        run, and the lines written meanwhile are rolled back."""
        blocked = tmp_path / "not-a-folder"
        blocked.write_text("")
        settings.RUN_ARCHIVE_DIR = blocked / "runs"  # type: ignore[attr-defined]
        publish_ae_plan(world)
        glossary_quarter(world)
        run = _run(world)
        assert run.status == "failed"
        assert "Internal error" in run.error
        assert not EarningLine.objects.filter(run=run).exists()
        assert not PayoutLine.objects.filter(run=run).exists()

    def test_lines_that_cannot_be_written_leave_no_archive(
        self, world: World, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """The database fails while the archive is being written beside it: the run waits
        for the archive's thread, then deletes what it wrote."""
        publish_ae_plan(world)
        glossary_quarter(world)

        def database_gone(**kwargs: object) -> None:
            raise OpenSPMError("the database went away")

        monkeypatch.setattr(calc, "write_lines", database_gone)
        run = _run(world)
        assert run.status == "failed"
        assert run.error == "the database went away"
        folder = archive.run_dir(run.pk)
        assert not folder.exists()
        assert not folder.with_name(f".{folder.name}.tmp").exists()

    def test_reps_cannot_start_runs(self, world: World) -> None:
        ensure_fiscal_year(fiscal_year=2026)
        with pytest.raises(PermissionDenied):
            calc.request_run(actor=world.users["rep1"], period_key="2026-Q1")
