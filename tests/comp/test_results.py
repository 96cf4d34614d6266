"""Result lines are written in bulk (COPY / one prepared INSERT) and equal the engine's output
rounded once, half-even, to the columns' places: checked line by line against the archive."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest
from django.db import transaction
from django.db.models import Model

from openspm.comp import archive
from openspm.comp.models import CalcRun, CreditLine, EarningLine, MeasureLine, PayoutLine
from openspm.comp.selectors import trace as trace_selectors
from openspm.comp.services import calc, results
from openspm.comp.summaries import SUMMARY_KEYS
from openspm.core.errors import OpenSPMError
from openspm.org.models import Person
from openspm.org.services import ensure_fiscal_year
from tests.comp.factories import glossary_quarter, publish_ae_plan
from tests.factories import World

AMOUNT = Decimal("0.0001")
RATE = Decimal("1e-10")


def _q(value: Decimal | None, places: Decimal) -> Decimal | None:
    return None if value is None else value.quantize(places, rounding=ROUND_HALF_EVEN)


def _expected(name: str, row: dict[str, object], person_pk: dict[str, int]) -> dict[str, object]:
    """The line the engine row becomes, by the column specs, computed in Python."""
    _, columns = results.LINES[name]
    out: dict[str, object] = {"person_id": person_pk[str(row["payee_id"])]}
    for col in columns:
        value = row[col.source]
        if col.kind == "amount":
            value = _q(value, AMOUNT)  # type: ignore[arg-type]
        elif col.kind == "amount0":
            value = _q(value, AMOUNT) or Decimal(0)  # type: ignore[arg-type]
        elif col.kind == "rate":
            value = _q(value, RATE)  # type: ignore[arg-type]
        elif col.kind == "blank":
            value = value or ""
        elif col.kind == "refs":
            value = str(value or "").replace(";", " ")
        elif col.kind == "int0":
            value = int(value) if value not in (None, "") else 0  # type: ignore[call-overload]
        elif col.kind == "payee":
            value = person_pk.get(str(value)) if value else None
        out[col.field] = value
    return out


def _summaries(earnings: list[dict[str, object]]) -> list[dict[str, object]]:
    """The engine's earning rows as the database keeps them, computed in Python: period lines
    as they are, deal lines summed per payee and `SUMMARY_KEYS` (the sum exact, the highest
    basis, quota and attainment, their count)."""
    out = [row | {"line_count": 0} for row in earnings if row["transaction_id"] is None]
    groups: dict[tuple[object, ...], list[dict[str, object]]] = defaultdict(list)
    for row in earnings:
        if row["transaction_id"] is not None:
            groups[(row["payee_id"], *(row[key] for key in SUMMARY_KEYS))].append(row)
    for rows in groups.values():
        summary = dict(rows[0])
        for name in (
            "credit_id",
            "transaction_id",
            "objective_id",
            "measure_value",
            "to_date_amount",
            "prior_amount",
        ):
            summary[name] = None
        summary["amount"] = sum((r["amount"] for r in rows), Decimal(0))  # type: ignore[misc]
        for name in ("basis_to_date", "quota_amount", "attainment"):
            values = [r[name] for r in rows if r[name] is not None]
            summary[name] = max(values) if values else None  # type: ignore[type-var]
        out.append(summary | {"line_count": len(rows)})
    return out


@pytest.fixture
def run(world: World, tmp_path: Path, settings: pytest.FixtureRequest) -> CalcRun:
    """The glossary quarter, run through the app, its archive in this test's folder."""
    settings.RUN_ARCHIVE_DIR = tmp_path / "runs"  # type: ignore[attr-defined]
    publish_ae_plan(world)
    glossary_quarter(world)
    done = calc.execute_run(
        run_id=calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1").pk
    )
    assert done.status == "succeeded", done.error
    return done


@pytest.mark.django_db
class TestWriteLines:
    def test_every_line_is_the_archived_output_rounded_once(
        self, world: World, run: CalcRun
    ) -> None:
        person_pk = dict(Person.objects.values_list("external_id", "pk"))
        models: dict[str, type[Model]] = {
            "measures": MeasureLine,
            "earnings": EarningLine,
            "payouts": PayoutLine,
        }
        for name, model in models.items():
            _, columns = results.LINES[name]
            fields = ["person_id", *(c.field for c in columns)]
            stored = list(model._default_manager.filter(run=run).order_by("pk").values(*fields))
            output = archive.read_output(run.pk, name).to_pylist()
            assert output, name
            if name == "earnings":  # deal lines are summed per payee, component and tier
                output = _summaries(output)
            expected = [_expected(name, row, person_pk) for row in output]
            assert sorted(stored, key=repr) == sorted(expected, key=repr), name
        assert PayoutLine.objects.filter(run=run).values_list("amount", flat=True).count() == 2
        assert not CreditLine.objects.filter(run=run).exists()  # credits stay in the archive

    def test_a_lines_drill_down_shows_its_archived_credits_rounded_once(
        self, world: World, run: CalcRun
    ) -> None:
        output = archive.read_output(run.pk, "credits").to_pylist()
        earnings = archive.read_output(run.pk, "earnings").to_pylist()
        lines = EarningLine.objects.filter(run=run).select_related("person")
        assert sum(line.line_count for line in lines) == len(earnings)  # all deal lines
        for line in lines:
            trace = trace_selectors.get_line_trace(viewer=world.users["compadmin"], line_id=line.pk)
            deal_rows = sorted(
                (
                    row
                    for row in earnings
                    if row["payee_id"] == line.person.external_id
                    and (row["component_id"], row["line_type"], row["credit_reason"])
                    == (line.component_id, line.line_type, line.credit_reason)
                    and (row["tier"], _q(row["rate"], RATE)) == (line.tier, line.rate)  # type: ignore[arg-type]
                ),
                key=lambda r: (r["transaction_id"], r["credit_id"]),
            )
            assert trace.deal_count == line.line_count == len(deal_rows)
            assert [
                (d.transaction_ref, d.credit_id, d.basis_to_date, d.amount) for d in trace.deals
            ] == [
                (
                    r["transaction_id"],
                    r["credit_id"],
                    _q(r["basis_to_date"], AMOUNT),
                    _q(r["amount"], AMOUNT),
                )  # type: ignore[arg-type]
                for r in deal_rows
            ]
            exact = sum((r["amount"] for r in deal_rows), Decimal(0))  # type: ignore[misc]
            assert line.amount == _q(exact, AMOUNT)
            credit_ids = {r["credit_id"] for r in deal_rows}
            shown = [
                (
                    c.credit_id,
                    c.person_id,
                    c.transaction_ref,
                    c.credit_reason,
                    c.rule_id,
                    c.credit_percent,
                    c.credited_on,
                    c.source_amount,
                    c.source_currency,
                    c.fx_rate,
                    c.amount,
                    c.currency,
                )
                for c in trace.credits
            ]
            expected = [
                (
                    row["credit_id"],
                    line.person_id,
                    row["transaction_id"],
                    row["credit_reason"],
                    row["rule_id"] or "",
                    _q(row["credit_percent"], RATE),  # type: ignore[arg-type]
                    row["credited_on"],
                    _q(row["source_amount"], AMOUNT),  # type: ignore[arg-type]
                    row["source_currency"],
                    _q(row["fx_rate"], RATE),  # type: ignore[arg-type]
                    _q(row["amount"], AMOUNT),  # type: ignore[arg-type]
                    row["currency"],
                )
                for row in sorted(
                    output, key=lambda r: (r["credited_on"], r["transaction_id"], r["credit_id"])
                )
                if row["payee_id"] == line.person.external_id and row["credit_id"] in credit_ids
            ]
            assert shown == expected, line.pk
            assert shown, line.pk

    def test_a_run_without_an_archive_shows_its_stored_credit_lines(
        self, world: World, run: CalcRun
    ) -> None:
        """Runs written before credits and deal lines left the database keep showing their
        credit lines behind their deal lines."""
        summary = EarningLine.objects.get(run=run, person=world.people["rep1"], tier="2")
        line = EarningLine.objects.create(  # a deal line, as such runs stored them
            run=run,
            person_id=summary.person_id,
            plan_code="ae",
            plan_version=1,
            period_key="2026-Q1",
            component_id=summary.component_id,
            component_kind=summary.component_kind,
            line_type=summary.line_type,
            credit_id="D2|REP1|owner",
            transaction_ref="D2",
            credit_reason="owner",
            tier="2",
            rate=summary.rate,
            amount=summary.amount,
            currency="USD",
        )
        archive.delete_archive(run.pk)
        CreditLine.objects.create(
            run=run,
            person_id=line.person_id,
            plan_code="ae",
            plan_version=1,
            period_key="2026-Q1",
            credit_id=line.credit_id,
            transaction_ref="D2",
            credit_reason="owner",
            credit_percent=Decimal(1),
            credited_on=date(2026, 2, 10),
            source_amount=Decimal(100000),
            source_currency="USD",
            amount=Decimal(100000),
            currency="USD",
        )
        trace = trace_selectors.get_line_trace(viewer=world.users["compadmin"], line_id=line.pk)
        assert [(c.pk is not None, c.transaction_ref, c.amount) for c in trace.credits] == [
            (True, "D2", Decimal(100000))
        ]
        assert (trace.deals, trace.is_summary) == ([], False)

    def test_a_summary_whose_archive_is_gone_still_says_what_it_sums(
        self, world: World, run: CalcRun
    ) -> None:
        line = EarningLine.objects.get(run=run, person=world.people["rep1"], tier="1")
        archive.delete_archive(run.pk)
        trace = trace_selectors.get_line_trace(viewer=world.users["compadmin"], line_id=line.pk)
        assert (trace.is_summary, trace.deals, trace.deal_count, trace.credits) == (
            True,
            [],
            2,
            [],
        )


@pytest.mark.django_db
class TestWriterChecks:
    """Result lines carry no database foreign keys: the writer checks the run and payees."""

    def test_an_unknown_payee_fails_the_write_and_writes_nothing(self, run: CalcRun) -> None:
        tables = {name: archive.read_output(run.pk, name) for name in results.LINES}
        credits = archive.read_output(run.pk, "credits")
        payees = pc.replace_substring(credits.column("payee_id"), "REP2", "GHOST")
        tables["credits"] = credits.set_column(
            credits.schema.get_field_index("payee_id"), "payee_id", payees
        )
        before = EarningLine.objects.count()
        with pytest.raises(results.UnknownPayee, match="GHOST"), transaction.atomic():
            results.write_lines(run_id=run.pk, period_key="2026-Q1", tables=tables)
        assert EarningLine.objects.count() == before

    def test_a_missing_run_fails_the_write(self, run: CalcRun) -> None:
        tables = {name: archive.read_output(run.pk, name) for name in (*results.LINES, "credits")}
        with pytest.raises(OpenSPMError, match="No run"), transaction.atomic():
            results.write_lines(run_id=run.pk + 1000, period_key="2026-Q1", tables=tables)
        assert not EarningLine.objects.filter(run_id=run.pk + 1000).exists()


@pytest.mark.django_db
class TestInsertArrow:
    def test_nulls_empty_text_dates_and_decimals_round_trip(self, world: World) -> None:
        """Nulls stay NULL, "" stays "" (also in a chunk whose text has nulls elsewhere)."""
        ensure_fiscal_year(fiscal_year=2026)
        rep = world.people["rep1"]
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        table = pa.table(
            {
                "run_id": pa.array([run.pk, run.pk], pa.int64()),
                "person_id": pa.array([rep.pk, rep.pk], pa.int64()),
                "plan_code": ["ae", "ae"],
                "plan_version": pa.array([1, 2], pa.int64()),
                "period_key": ["2026-Q1", "2026-Q1"],
                "measure_id": ["bookings", ""],
                "accumulate": ["period", "quarter_to_date"],
                "period_value": pa.array(
                    [Decimal("99999999999.9999"), Decimal("-0.0001")], pa.decimal128(38, 4)
                ),
                "to_date_value": pa.array([Decimal(0), Decimal("1.5")], pa.decimal128(38, 4)),
                "quota_amount": pa.array([None, Decimal("12.3400")], pa.decimal128(38, 4)),
                "attainment": pa.array([Decimal("0.1234567891"), None], pa.decimal128(38, 10)),
            }
        )
        results.insert_arrow(MeasureLine, table)
        rows = list(
            MeasureLine.objects.filter(run=run)
            .order_by("plan_version")
            .values_list(
                "measure_id", "period_value", "to_date_value", "quota_amount", "attainment"
            )
        )
        assert rows == [
            ("bookings", Decimal("99999999999.9999"), Decimal(0), None, Decimal("0.1234567891")),
            ("", Decimal("-0.0001"), Decimal("1.5"), Decimal("12.34"), None),
        ]

    def test_columns_with_one_value_in_the_chunk_round_trip(self, world: World) -> None:
        """On SQLite they are literals of the statement: "" stays "", NULL stays NULL, a
        decimal keeps its value, a constant beside varying columns lands on every row."""
        ensure_fiscal_year(fiscal_year=2026)
        rep = world.people["rep1"]
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        n = 3
        table = pa.table(
            {
                "run_id": pa.array([run.pk] * n, pa.int64()),
                "person_id": pa.array([rep.pk] * n, pa.int64()),
                "plan_code": ["it's"] * n,
                "plan_version": pa.array([1, 2, 3], pa.int64()),
                "period_key": ["2026-Q1"] * n,
                "measure_id": [""] * n,
                "accumulate": ["period"] * n,
                "period_value": pa.array([Decimal("-0.0001")] * n, pa.decimal128(38, 4)),
                "to_date_value": pa.array(
                    [Decimal(1), Decimal(2), Decimal(3)], pa.decimal128(38, 4)
                ),
                "quota_amount": pa.array([None] * n, pa.decimal128(38, 4)),
                "attainment": pa.array([Decimal("0.1234567891")] * n, pa.decimal128(38, 10)),
            }
        )
        results.insert_arrow(MeasureLine, table)
        rows = list(
            MeasureLine.objects.filter(run=run)
            .order_by("plan_version")
            .values_list(
                "plan_code",
                "plan_version",
                "measure_id",
                "period_value",
                "to_date_value",
                "quota_amount",
                "attainment",
            )
        )
        assert rows == [
            ("it's", v, "", Decimal("-0.0001"), Decimal(v), None, Decimal("0.1234567891"))
            for v in (1, 2, 3)
        ]

    def test_dates_round_trip(self, world: World) -> None:
        from openspm.org.models import ReportingLine

        rep, manager = world.people["rep3"], world.people["vp"]
        stamp = "2026-01-01 00:00:00+00:00"
        results.insert_arrow(
            ReportingLine,
            pa.table(
                {
                    "person_id": pa.array([rep.pk], pa.int64()),
                    "manager_id": pa.array([manager.pk], pa.int64()),
                    "effective_from": pa.array([date(2030, 2, 28)], pa.date32()),
                    "effective_to": pa.array([None], pa.date32()),
                    "created_at": [stamp],
                    "updated_at": [stamp],
                }
            ),
        )
        line = ReportingLine.objects.get(person=rep, effective_from=date(2030, 2, 28))
        assert (line.manager_id, line.effective_to) == (manager.pk, None)

    def test_a_text_longer_than_the_csv_field_limit(self, world: World) -> None:
        """A payout line's transaction ids can run to megabytes (a manager's roll-ups)."""
        ensure_fiscal_year(fiscal_year=2026)
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        refs = " ".join(f"T{i}" for i in range(100_000))
        assert len(refs) > results.CSV_FIELD_LIMIT
        money = pa.array([Decimal("1.0000")], pa.decimal128(38, 4))
        results.insert_arrow(
            PayoutLine,
            pa.table(
                {
                    "run_id": pa.array([run.pk], pa.int64()),
                    "person_id": pa.array([world.people["vp"].pk], pa.int64()),
                    "plan_code": ["mgr"],
                    "plan_version": pa.array([1], pa.int64()),
                    "period_key": ["2026-Q1"],
                    "component_id": ["override"],
                    "line_type": ["payout"],
                    "plan_amount": money,
                    "plan_currency": ["USD"],
                    "amount": money,
                    "currency": ["USD"],
                    "held_amount": money,
                    "transaction_refs": [refs],
                    "line_count": pa.array([100_000], pa.int64()),
                }
            ),
        )
        assert PayoutLine.objects.get(run=run).transaction_refs == refs

    def test_texts_longer_than_the_csv_field_limit_that_differ(self, world: World) -> None:
        """Two payout lines with different long texts: the column is bound row by row."""
        ensure_fiscal_year(fiscal_year=2026)
        run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
        refs = [" ".join(f"{p}{i}" for i in range(100_000)) for p in ("T", "U")]
        assert min(len(r) for r in refs) > results.CSV_FIELD_LIMIT
        money = pa.array([Decimal("1.0000"), Decimal("2.0000")], pa.decimal128(38, 4))
        results.insert_arrow(
            PayoutLine,
            pa.table(
                {
                    "run_id": pa.array([run.pk] * 2, pa.int64()),
                    "person_id": pa.array([world.people["vp"].pk] * 2, pa.int64()),
                    "plan_code": ["mgr"] * 2,
                    "plan_version": pa.array([1, 2], pa.int64()),
                    "period_key": ["2026-Q1"] * 2,
                    "component_id": ["override"] * 2,
                    "line_type": ["payout"] * 2,
                    "plan_amount": money,
                    "plan_currency": ["USD"] * 2,
                    "amount": money,
                    "currency": ["USD"] * 2,
                    "held_amount": money,
                    "transaction_refs": refs,
                    "line_count": pa.array([100_000] * 2, pa.int64()),
                }
            ),
        )
        stored = PayoutLine.objects.filter(run=run).order_by("plan_version")
        assert [(line.amount, line.transaction_refs) for line in stored] == [
            (Decimal(1), refs[0]),
            (Decimal(2), refs[1]),
        ]


@pytest.mark.django_db
def test_a_run_logs_the_seconds_of_its_stages(
    world: World, tmp_path: Path, settings: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> None:
    """benchmarks/app.py reads these; operators see where a slow run spent its time."""
    settings.RUN_ARCHIVE_DIR = tmp_path / "runs"  # type: ignore[attr-defined]
    publish_ae_plan(world)
    glossary_quarter(world)
    run = calc.request_run(actor=world.users["compadmin"], period_key="2026-Q1")
    with caplog.at_level("INFO", logger="openspm.comp.services.calc"):
        calc.execute_run(run_id=run.pk)
    [record] = [r for r in caplog.records if hasattr(r, "stage_seconds")]
    stages = record.stage_seconds
    # `lines` (the database insert) and `archive` (in a thread beside it) are parts of `write`
    assert list(stages) == ["plans", "read", "engine", "write", "lines", "archive"]
    assert all(seconds >= 0 for seconds in stages.values())
    assert f"run {run.pk} of 2026-Q1" in record.getMessage()
