"""Write a run's tables as CSV into a folder, atomically (a temp dir renamed into place).

Decimals are written in plain notation without trailing zeros (``16000``, ``0.05``); the
``run.json`` manifest records the fingerprint, period and engine version.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from openspm.engine.errors import EngineError
from openspm.engine.run import RunResult

MANIFEST = "run.json"


def _formatted(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table) -> str:
    con.register(f"t_{name}", table)
    cols = []
    for field in table.schema:
        q = f'"{field.name}"'
        if pa.types.is_decimal(field.type):
            text = f"CAST({q} AS VARCHAR)"
            stripped = f"REGEXP_REPLACE(REGEXP_REPLACE({text}, '(\\.[0-9]*?)0+$', '\\1'), '\\.$', '')"
            cols.append(f"CASE WHEN {q} = 0 THEN '0' ELSE {stripped} END AS {q}")
        else:
            cols.append(q)
    return f"SELECT {', '.join(cols)} FROM t_{name}"


def write_outputs(result: RunResult, outdir: str | Path, *, plans: list[str]) -> Path:
    """Write every table of ``result`` to ``outdir`` (replacing a previous run there)."""
    target = Path(outdir)
    if target.exists() and (not target.is_dir() or (any(target.iterdir())
                                                    and not (target / MANIFEST).exists())):
        raise EngineError(f"{target}: exists and is not an output folder of a previous run")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        con = duckdb.connect()
        try:
            for name, table in result.tables.items():
                sql = _formatted(con, name, table)
                con.execute(f"COPY ({sql}) TO '{tmp / (name + '.csv')}' (HEADER, DELIMITER ',')")
        finally:
            con.close()
        manifest = {"fingerprint": result.fingerprint, "period": result.period,
                    "engine_version": result.engine_version, "plans": plans,
                    "rows": {n: t.num_rows for n, t in result.tables.items()}}
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            target.rename(old)
            tmp.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target
