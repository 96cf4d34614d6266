"""The SQL generator's dialect layer: the same plan rendered for PostgreSQL and Spark."""

from __future__ import annotations

from pathlib import Path

import pytest

from openspm.engine import load_plans
from openspm.engine.compile.dialect import get_dialect
from openspm.engine.errors import NotSupported
from openspm.engine.run import compile_plans

CASE = Path(__file__).parent / "cases" / "glossary_tiers_marginal"


def test_postgres_rendering_has_no_duckdb_only_syntax() -> None:
    program = compile_plans(load_plans(CASE / "plan.yaml"), "2026-Q1", dialect="postgres")
    sql = program.script(get_dialect("postgres"))
    assert "CREATE TEMP TABLE p0_credits AS" in sql
    for duckdb_only in ("HUGEINT", " // ", "DATE_DIFF(", "CREATE OR REPLACE TEMP TABLE"):
        assert duckdb_only not in sql, duckdb_only
    snapshot = CASE / "compiled.postgres.sql"
    if not snapshot.exists():
        snapshot.write_text(sql, encoding="utf-8")
    assert sql == snapshot.read_text(encoding="utf-8")


def test_spark_names_what_it_cannot_render() -> None:
    with pytest.raises(NotSupported, match="recursive hierarchy closure"):
        compile_plans(load_plans(CASE / "plan.yaml"), "2026-Q1", dialect="spark")


def test_unknown_dialect() -> None:
    with pytest.raises(NotSupported, match="unknown SQL dialect 'oracle'"):
        compile_plans(load_plans(CASE / "plan.yaml"), "2026-Q1", dialect="oracle")
