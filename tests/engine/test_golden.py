"""Golden cases: each folder of ``cases/`` is a plan, its inputs and hand-checked outputs.

``case.yaml`` gives the ``period`` (and optionally ``error``: text the run must fail with).
Every ``expected/<table>.csv`` lists the rows of that output table, restricted to its columns;
rows are compared as multisets, decimals by value. Lines starting with ``#`` are comments.
``compiled.sql``, when present, is the snapshot of the SQL the case compiles to; when it
changes, the test writes ``compiled.sql.new`` beside it to review and rename.
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import yaml

from openspm.engine import EngineError, load_plan_text, load_plans, run
from openspm.engine.inputs import read_folder

CASES = Path(__file__).parent / "cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "case.yaml").exists())


def norm(value: Any) -> Any:
    """Normalise a cell for comparison: decimals by value, empty as None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal | int):
        return Decimal(value).normalize()
    text = str(value)
    try:
        return Decimal(text).normalize()
    except InvalidOperation:
        return text


def read_expected(path: Path) -> tuple[list[str], list[tuple[Any, ...]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(line for line in fh if not line.startswith("#"))
        columns = list(reader.fieldnames or [])
        rows = [tuple(norm(r[c]) for c in columns) for r in reader]
    return columns, rows


def project(table: pa.Table, columns: list[str]) -> list[tuple[Any, ...]]:
    missing = [c for c in columns if c not in table.column_names]
    assert not missing, f"output has no column(s) {missing}"
    return [tuple(norm(r[c]) for c in columns) for r in table.select(columns).to_pylist()]


def sort_key(row: tuple[Any, ...]) -> tuple[str, ...]:
    return tuple("" if v is None else str(v) for v in row)


def plans_of(case: Path) -> Path:
    return case / "plans" if (case / "plans").is_dir() else case / "plan.yaml"


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_golden_case(case: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    expected_error = spec.get("error")
    if expected_error:
        with pytest.raises(EngineError) as info:
            run(
                load_plans(plans_of(case)), read_folder(case / "inputs"), period=str(spec["period"])
            )
        assert expected_error in str(info.value)
        return
    result = run(
        load_plans(plans_of(case)), read_folder(case / "inputs"), period=str(spec["period"])
    )
    expected_files = sorted((case / "expected").glob("*.csv"))
    assert expected_files, "a golden case needs at least one expected table"
    for path in expected_files:
        columns, want = read_expected(path)
        got = project(result.tables[path.stem], columns)
        assert sorted(got, key=sort_key) == sorted(want, key=sort_key), (
            f"{path.stem} differs for columns {columns}"
        )
    sql_file = case / "compiled.sql"
    if sql_file.exists() or spec.get("snapshot_sql"):
        if not sql_file.exists():
            sql_file.write_text(result.sql, encoding="utf-8")
        new = case / "compiled.sql.new"
        if result.sql != sql_file.read_text(encoding="utf-8"):
            new.write_text(result.sql, encoding="utf-8")
            pytest.fail(f"compiled SQL changed: review {new} and rename it to compiled.sql")
        new.unlink(missing_ok=True)


#: the documented order of the two large outputs (docs/plans.md §9), which the engine sorts on
#: integer keys that stand for these columns: a run archived before keeps its bytes
TEXT_ORDER = {
    "credits": ["plan_id", "period_id", "transaction_id", "payee_id", "credit_id"],
    "earnings": [
        "plan_id",
        "payee_id",
        "period_id",
        "component_id",
        "transaction_id",
        "credit_id",
        "tier",
        "line_type",
        "objective_id",
    ],
}
RUN_CASES = [p for p in CASE_DIRS if not yaml.safe_load((p / "case.yaml").read_text()).get("error")]


@pytest.mark.parametrize("case", RUN_CASES, ids=[p.name for p in RUN_CASES])
def test_outputs_come_in_the_documented_order(case: Path) -> None:
    spec = yaml.safe_load((case / "case.yaml").read_text())
    result = run(
        load_plans(plans_of(case)), read_folder(case / "inputs"), period=str(spec["period"])
    )
    for name, columns in TEXT_ORDER.items():
        keys = [
            tuple((row[c] is not None, row[c]) for c in columns)
            for row in result.tables[name].select(columns).to_pylist()
        ]
        assert keys == sorted(keys), f"{name} of {case.name} is not in the documented order"


ORDER_PLAN = """
schema_version: 1
id: order
currency: USD
crediting:
  - kind: owner
  - {kind: overlay, payees: [a], percent: 0.5, allow_double_credit: true}
%s
  - {kind: rollup, from_reasons: [owner, overlay]}
measures:
  bookings: {value: amount}
components:
  - kind: commission
    id: zeta
    measure: bookings
    tiering: marginal
    tier_basis: measure
    tiers:
      - {from: 0, to: 150, rate: 0.01, label: silver}
      - {from: 150, to: 400, rate: 0.02, label: gold}
      - {from: 400, rate: 0.03, label: bronze}
  - {kind: commission, id: alpha, measure: bookings, rate: 0.1}
pay:
  frequency: quarter
"""


def test_order_follows_the_text_of_ids_labels_and_rules(tmp_path: Path) -> None:
    """Components declared out of id order, tier labels out of tier order, a twelfth crediting
    rule (``10`` sorts before ``2``) and a roll-up of a payee credited twice on a deal: the
    integer keys must still give the documented text order."""
    overlays = "\n".join(
        f"  - {{kind: overlay, payees: [b], percent: 0.1, allow_double_credit: true, id: o{i}}}"
        for i in range(10)
    )
    (tmp_path / "inputs").mkdir()
    (tmp_path / "inputs" / "transactions.csv").write_text(
        "transaction_id,payee_id,amount,currency,booked_on\n"
        "T1,a,100,USD,2026-01-05\nT2,a,600,USD,2026-01-05\nT10,c,250,USD,2026-02-01\n"
    )
    (tmp_path / "inputs" / "hierarchy.csv").write_text(
        "payee_id,manager_id,effective_from\na,m,2020-01-01\nb,m,2020-01-01\nc,m,2020-01-01\n"
    )
    plan = load_plan_text(ORDER_PLAN % overlays)
    result = run(plan, read_folder(tmp_path / "inputs"), period="2026-Q1")
    for name, columns in TEXT_ORDER.items():
        rows = result.tables[name].select(columns).to_pylist()
        keys = [tuple((r[c] is not None, r[c]) for c in columns) for r in rows]
        assert keys == sorted(keys), name
    earnings = result.tables["earnings"].to_pylist()
    assert {r["component_id"] for r in earnings} == {"alpha", "zeta"}
    assert {r["tier"] for r in earnings} >= {"silver", "gold", "bronze"}
    assert any(r["credit_id"] == "T1/b/11/" for r in earnings)  # rule 11 sorts before 2
    assert sum(r["credit_id"] == "T1/m/12/a" for r in result.tables["credits"].to_pylist()) == 2
