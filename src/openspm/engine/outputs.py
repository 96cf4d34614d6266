"""Write a run's tables as CSV into a folder, atomically (a temp dir renamed into place).

Decimals are written in plain notation without trailing zeros (``16000``, ``0.05``); the
``run.json`` manifest records the fingerprint, period and engine version.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from openspm.engine.errors import EngineError
from openspm.engine.run import RunResult

MANIFEST = "run.json"


def _text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Decimals as plain text without trailing zeros (vectorised Arrow kernels)."""
    if not pa.types.is_decimal(column.type):
        return column
    text = pc.cast(column, pa.string())
    if column.type.scale > 0:
        text = pc.ascii_rtrim(pc.ascii_rtrim(text, characters="0"), characters=".")
    zero = pc.equal(column, pa.scalar(0, column.type))
    return pc.if_else(zero, pa.scalar("0"), text)


def _csv_table(table: pa.Table) -> pa.Table:
    with ThreadPoolExecutor(max_workers=4) as pool:  # Arrow kernels release the GIL
        columns = list(pool.map(_text, table.columns))
    return pa.table(columns, names=table.column_names)


_NEEDS_QUOTES = r'[",\r\n]'


def _write_csv(table: pa.Table, path: Path) -> None:
    """Arrow's CSV writer (multi-threaded C++), quoting only the values that need it."""
    # decimals as text and the hex fingerprint never need quotes: check only the other strings
    needs = any(
        pc.any(pc.match_substring_regex(table[name], _NEEDS_QUOTES)).as_py()
        for name in table.column_names
        if pa.types.is_string(table[name].type) and name != "run_fingerprint" and len(table)
    )
    text = _csv_table(table)
    header = ",".join(
        f'"{n.replace(chr(34), chr(34) * 2)}"' if any(ch in n for ch in ',"\r\n') else n
        for n in text.column_names
    )
    with path.open("wb") as fh:
        fh.write((header + "\n").encode())
        pcsv.write_csv(
            text,
            fh,
            write_options=pcsv.WriteOptions(
                include_header=False, quoting_style="needed" if needs else "none"
            ),
        )


def write_outputs(result: RunResult, outdir: str | Path, *, plans: list[str]) -> Path:
    """Write every table of ``result`` to ``outdir`` (replacing a previous run there)."""
    target = Path(outdir)
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MANIFEST).exists())
    ):
        raise EngineError(f"{target}: exists and is not an output folder of a previous run")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for name, table in result.tables.items():
            _write_csv(table, tmp / f"{name}.csv")
        manifest = {
            "fingerprint": result.fingerprint,
            "period": result.period,
            "engine_version": result.engine_version,
            "plans": plans,
            "rows": {n: t.num_rows for n, t in result.tables.items()},
        }
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
