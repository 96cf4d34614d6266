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

from openspm.engine import EngineError, load_plans, run
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
