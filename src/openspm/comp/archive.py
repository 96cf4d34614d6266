"""A run's archive: its input snapshot and full-precision outputs as Parquet, plus its plans.

`openspm calc run` can be pointed at an archive's inputs and plans to reproduce the run
(same fingerprint, same numbers); `comp.services.calc.reproduce_run` does exactly that.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
from django.conf import settings


def run_dir(run_id: int) -> Path:
    return Path(settings.RUN_ARCHIVE_DIR) / str(run_id)


def write_archive(
    *,
    run_id: int,
    inputs: dict[str, pa.Table],
    outputs: dict[str, pa.Table],
    plans: dict[str, str],
    manifest: dict[str, object],
) -> Path:
    """Write everything to a temporary folder, then rename it into place (all or nothing)."""
    target = run_dir(run_id)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for sub in ("inputs", "outputs", "plans"):
        (tmp / sub).mkdir(parents=True)
    for name, table in inputs.items():
        pq.write_table(table, tmp / "inputs" / f"{name}.parquet")
    for name, table in outputs.items():
        pq.write_table(table, tmp / "outputs" / f"{name}.parquet")
    for code, text in plans.items():
        (tmp / "plans" / f"{code}.yaml").write_text(text, encoding="utf-8")
    (tmp / "run.json").write_text(json.dumps(manifest, indent=2, default=str), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    return target


def read_inputs(run_id: int) -> dict[str, pa.Table]:
    folder = run_dir(run_id) / "inputs"
    return {path.stem: pq.read_table(path) for path in sorted(folder.glob("*.parquet"))}


def read_output(run_id: int, name: str) -> pa.Table:
    """An archived output table as the engine gives it today: archives written before
    2026-11-25 also repeat the run's fingerprint on every row (`run_fingerprint`), which the
    run itself records (`CalcRun.fingerprint`, `run.json`)."""
    table = pq.read_table(run_dir(run_id) / "outputs" / f"{name}.parquet")
    if "run_fingerprint" in table.column_names:
        table = table.drop_columns(["run_fingerprint"])
    return table


def output_path(run_id: int, name: str) -> Path | None:
    """The Parquet file of output `name`, None when the run has no archive."""
    path = run_dir(run_id) / "outputs" / f"{name}.parquet"
    return path if path.exists() else None


def read_rows(
    run_id: int,
    name: str,
    *,
    where: str,
    params: Sequence[object],
    order_by: str,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], int] | None:
    """The rows of output `name` that match `where` (SQL over its columns, `?` for
    `params`), in `order_by` order, at full precision (the first `limit` of them, if given),
    and how many match in all; None when the run has no archive. Callers write `where` and
    `order_by` from their own names, never from a request.

    DuckDB reads the file: it filters before it decodes the other columns, 5× faster than
    Arrow's dataset filter (0.5 s instead of 2.5 s for a manager's 1,000 credits among 4
    million at 1,000,000 transactions; a deal's credit takes 0.03 s either way).
    """
    path = output_path(run_id, name)
    if path is None:
        return None
    with duckdb.connect() as con:
        table = con.sql(
            f"SELECT *, COUNT(*) OVER () AS matching FROM read_parquet(?) WHERE {where} "
            f"ORDER BY {order_by}" + ("" if limit is None else f" LIMIT {int(limit)}"),
            params=[str(path), *params],
        ).to_arrow_table()
    rows: list[dict[str, Any]] = table.to_pylist()
    total = int(rows[0].pop("matching")) if rows else 0
    for row in rows[1:]:
        del row["matching"]
    return rows, total


CREDIT_FILTERS = ("plan_id", "credit_id", "transaction_id")


def read_credits(
    run_id: int,
    *,
    payee_id: str,
    credit_ids: Sequence[str] | None = None,
    limit: int | None = None,
    **equal: str,
) -> tuple[list[dict[str, Any]], int] | None:
    """One payee's credits in the run's outputs (by date and deal; the first `limit` of them,
    and how many in all), optionally only those whose columns equal `equal` (`plan_id=`,
    `credit_id=`, `transaction_id=`) or whose credit is one of `credit_ids`; None when the
    run has no archive. Credits are kept only here (not as database lines): a statement's
    drill-down reads the few of one line (`docs/performance.md`, "App runs").
    """
    if unknown := set(equal) - set(CREDIT_FILTERS):
        raise ValueError(f"cannot filter credits on {sorted(unknown)}")
    where = " AND ".join(f"{name} = ?" for name in ("payee_id", *equal))
    params: list[object] = [payee_id, *equal.values()]
    if credit_ids is not None:
        where += " AND list_contains(?, credit_id)"
        params.append(list(credit_ids))
    return read_rows(
        run_id,
        "credits",
        where=where,
        params=params,
        order_by="credited_on, transaction_id, credit_id",
        limit=limit,
    )


def read_plans(run_id: int) -> dict[str, str]:
    folder = run_dir(run_id) / "plans"
    return {path.stem: path.read_text(encoding="utf-8") for path in sorted(folder.glob("*.yaml"))}


def delete_archive(run_id: int) -> None:
    """Remove the run's archive, and its temporary folder if a killed worker left one
    (`write_archive` runs beside the database write, `comp.services.calc`)."""
    target = run_dir(run_id)
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(target.with_name(f".{target.name}.tmp"), ignore_errors=True)
