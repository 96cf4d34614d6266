"""Execute compiled plans in DuckDB over Arrow tables and return the result tables.

``run`` is the engine's one entry point (STYLE E3): inputs, period and ``as_of`` are arguments,
nothing is read from the environment, and equal fingerprints give identical outputs.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

import duckdb
import pyarrow as pa

from openspm.engine.compile.dialect import get_dialect
from openspm.engine.compile.plan import OUTPUTS, Program, compile_run
from openspm.engine.errors import DataError, EngineError
from openspm.engine.inputs import SCHEMAS, register
from openspm.engine.plan.loader import LoadedPlan
from openspm.engine.version import ENGINE_VERSION

T = TypeVar("T")


@dataclass(frozen=True)
class RunResult:
    """The output tables of a run (``credits``, ``measures``, ``earnings``, ``payouts``)."""

    fingerprint: str
    period: str
    tables: dict[str, pa.Table]
    engine_version: str = ENGINE_VERSION
    sql: str = ""

    def __getitem__(self, name: str) -> pa.Table:
        return self.tables[name]


def _as_list(plans: LoadedPlan | Sequence[LoadedPlan]) -> list[LoadedPlan]:
    items = [plans] if isinstance(plans, LoadedPlan) else list(plans)
    if not items:
        raise EngineError("no plans to run")
    ids = [p.plan.id for p in items]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise EngineError(f"plan ids used twice: {', '.join(dupes)}")
    return sorted(items, key=lambda p: p.plan.id)


def base_columns() -> dict[str, str]:
    return {c.name: c.type for c in SCHEMAS["transactions"]}


def compile_plans(
    plans: LoadedPlan | Sequence[LoadedPlan],
    period: str,
    *,
    dialect: str = "duckdb",
    extra_columns: dict[str, str] | None = None,
) -> Program:
    """Compile without executing (for ``--sql`` output and golden files)."""
    columns = {**base_columns(), **(extra_columns or {})}
    return compile_run(_as_list(plans), period, get_dialect(dialect), columns)


def fingerprint_inputs(con: duckdb.DuckDBPyConnection) -> str:
    """Order-independent hash of every normalised input table."""
    h = hashlib.sha256()
    for name in sorted(SCHEMAS):
        cols = [r[0] for r in con.execute(f"DESCRIBE in_{name}").fetchall()]
        col_list = ", ".join(f'"{c}"' for c in cols)
        count, total = con.execute(
            f"SELECT COUNT(*), COALESCE(SUM(CAST(HASH({col_list}) AS HUGEINT)), 0) FROM in_{name}"
        ).fetchone() or (0, 0)
        h.update(f"{name}|{','.join(cols)}|{count}|{total}\n".encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Executed:
    """A run whose statements have executed: output queries can be read from ``con``."""

    con: duckdb.DuckDBPyConnection
    program: Program
    fingerprint: str

    def output_sql(self, name: str) -> str:
        """The sorted select of output table ``name``. The run's fingerprint is not a column
        of it: it is the run's (``RunResult.fingerprint``, ``run.json``), and a 64-character
        constant carried through the sort of millions of rows cost 40 % of writing them."""
        return self.program.outputs[name]

    def each_output(
        self, write: Callable[[str, duckdb.DuckDBPyConnection], T], *, side_by_side: bool = False
    ) -> dict[str, T]:
        """``write(name, connection)`` for every output table; ``side_by_side`` writes two
        at a time on cursors of the run's connection. Writing CSV leaves a core idle (the
        Python side of a batch, the tail of a sort): at 1,000,000 transactions the CSV run
        took 15.5–15.8 s instead of 16.2–16.3 s, with 1 GiB more memory. DuckDB's Parquet writer
        and its Arrow tables already keep both cores busy, so they gained nothing."""
        if not side_by_side:
            return {name: write(name, self.con) for name in OUTPUTS}

        def on_cursor(name: str) -> T:
            with self.con.cursor() as cursor:
                return write(name, cursor)

        with ThreadPoolExecutor(max_workers=2) as pool:
            # the largest first, so that the small ones fill in beside the other
            order = sorted(OUTPUTS, key=lambda name: name not in ("earnings", "credits"))
            done = dict(zip(order, pool.map(on_cursor, order), strict=True))
        return {name: done[name] for name in OUTPUTS}


@contextmanager
def executed(
    plans: LoadedPlan | Sequence[LoadedPlan],
    inputs: dict[str, pa.Table],
    *,
    period: str,
    as_of: date | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
) -> Iterator[Executed]:
    """Compile and execute ``plans`` in a fresh in-process DuckDB, closed on exit.

    ``memory_limit`` (DuckDB's setting, e.g. ``"6GB"``) makes DuckDB spill its intermediate
    tables to a temporary folder, removed afterwards, instead of growing past the limit.
    """
    items = _as_list(plans)
    config: dict[str, str | bool | int | float | list[str]] = (
        {"threads": threads} if threads else {}
    )
    spill = None
    if memory_limit:
        spill = tempfile.mkdtemp(prefix="openspm-spill-")
        config |= {"memory_limit": memory_limit, "temp_directory": spill}
    con = duckdb.connect(config=config)
    try:
        extra = register(con, inputs)
        columns = {**base_columns(), **extra}
        program = compile_run(items, period, get_dialect("duckdb"), columns)
        digest = hashlib.sha256()
        digest.update(f"engine {ENGINE_VERSION}\nperiod {period}\nas_of {as_of}\n".encode())
        for loaded in items:
            digest.update(f"plan {loaded.plan.id} {loaded.fingerprint}\n".encode())
        digest.update(fingerprint_inputs(con).encode())
        _execute(con, program)
        yield Executed(con, program, digest.hexdigest())
    finally:
        con.close()
        if spill:
            shutil.rmtree(spill, ignore_errors=True)


def run(
    plans: LoadedPlan | Sequence[LoadedPlan],
    inputs: dict[str, pa.Table],
    *,
    period: str,
    as_of: date | None = None,
    threads: int | None = None,
) -> RunResult:
    """Run ``plans`` over ``inputs`` for ``period`` (``2026-Q1``, ``2026-01`` or ``2026``)."""
    with executed(plans, inputs, period=period, as_of=as_of, threads=threads) as done:
        tables = done.each_output(lambda name, con: con.sql(done.output_sql(name)).to_arrow_table())
        sql = done.program.script(get_dialect("duckdb"))
        return RunResult(done.fingerprint, period, tables, sql=sql)


def _execute(con: duckdb.DuckDBPyConnection, program: Program) -> None:
    """Run the statements in order, each data check as soon as its tables exist, and drop
    every intermediate table after its last use (peak memory)."""
    names = [name for name, _ in program.statements]
    sql_of = dict(program.statements)
    uses = {name: _reads(sql, names, sql_of, program.views) for name, sql in program.statements}
    keep = set().union(
        *(_reads(sql, names, sql_of, program.views) for sql in program.outputs.values())
    )
    last_use: dict[str, int] = {}
    for i, (name, _) in enumerate(program.statements):
        for table in uses[name]:
            last_use[table] = i
    pending = list(program.checks)
    done: set[str] = set()
    for i, (name, sql) in enumerate(program.statements):
        kind = "VIEW" if name in program.views else "TABLE"
        try:
            # not TEMP: the run's private in-memory database holds them, where the cursors
            # that write the outputs side by side (``Executed.each_output``) can read them
            con.execute(f"CREATE OR REPLACE {kind} {name} AS\n{sql}")
        except duckdb.Error as exc:
            raise EngineError(f"internal error while computing {name}: {exc}") from exc
        done.add(name)
        still = []
        for check_sql, message in pending:
            if all(t in done for t in _reads(check_sql, names, sql_of, program.views)):
                row = con.execute(check_sql).fetchone()
                if row is not None:
                    raise DataError(message.format(*row))
            else:
                still.append((check_sql, message))
        pending = still
        checked = set().union(*(_reads(c, names, sql_of, program.views) for c, _ in pending))
        for table, last in list(last_use.items()):
            if (
                last == i
                and table not in keep
                and table not in checked
                and table not in program.views
                and table in done
            ):
                con.execute(f"DROP TABLE IF EXISTS {table}")
                del last_use[table]


def _reads(sql: str, names: list[str], sql_of: dict[str, str], views: set[str]) -> set[str]:
    """Tables a statement reads, through the views it reads (names matched as words)."""
    found: set[str] = set()
    for name in names:
        if re.search(rf"\b{re.escape(name)}\b", sql):
            found.add(name)
            if name in views:
                found |= _reads(sql_of[name], [n for n in names if n != name], sql_of, views)
    return found
