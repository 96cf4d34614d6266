"""Write a run's tables into a folder, atomically (a temp dir renamed into place).

CSV (the default) writes decimals in plain notation without trailing zeros (``16000``,
``0.05``); Parquet keeps them as exact decimals. ``run_to_folder`` streams each output from
DuckDB to its file in batches, so a large run never holds its outputs in Python memory. The
``run.json`` manifest records the fingerprint, period, engine version, format and row counts.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Literal

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from openspm.engine.compile.dialect import get_dialect
from openspm.engine.errors import EngineError
from openspm.engine.plan.loader import LoadedPlan
from openspm.engine.run import RunResult, executed
from openspm.engine.version import ENGINE_VERSION

MANIFEST = "run.json"
Format = Literal["csv", "parquet"]
FORMATS: tuple[Format, ...] = ("csv", "parquet")
#: rows asked of DuckDB per batch; a sorted result comes in its row groups (122,880 rows)
_BATCH_ROWS = 1_000_000
_NEEDS_QUOTES = r'[",\r\n]'
_QUOTE_BYTES = (b'"', b",", b"\r", b"\n")
#: output text columns whose values are identifiers of the plan language (``^[a-z][a-z0-9_]*$``),
#: generated period keys or the plan's (validated) currency code
_PLAIN_TEXT = frozenset(
    {
        "plan_id",
        "component_id",
        "component_kind",
        "line_type",
        "credit_reason",
        "measure_id",
        "accumulate",
        "period_id",
        "plan_currency",
    }
)


@dataclass(frozen=True)
class FolderRun:
    """What ``run_to_folder`` wrote: the run's fingerprint, rows per table, compiled SQL."""

    fingerprint: str
    rows: dict[str, int]
    sql: str


def decimal_text(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """Decimals as plain text without trailing zeros (vectorised Arrow kernels).

    Output columns repeat their values (a deal's amount on each of its roll-up credits, a
    rate or an attainment on every line of a tier or a payee): when at most half the values
    are distinct, each distinct value is written once and the texts are gathered, which
    took 0.02–0.07 s per million values against 0.15–0.25 s. Turning a 128-bit decimal into
    text is most of the cost of writing CSV. (Arrow cannot dictionary-encode 32- and 64-bit
    decimals; DuckDB and Parquet give 128-bit ones.)"""
    if not pa.types.is_decimal(column.type):
        return column
    if isinstance(column, pa.ChunkedArray):
        return pa.chunked_array([decimal_text(c) for c in column.chunks], pa.string())
    if pa.types.is_decimal128(column.type) or pa.types.is_decimal256(column.type):
        distinct = pc.dictionary_encode(column)
        if 2 * len(distinct.dictionary) <= len(column):
            return pc.take(_each_decimal_text(distinct.dictionary), distinct.indices)
    return _each_decimal_text(column)


def _each_decimal_text(column: pa.Array) -> pa.Array:
    """``decimal_text`` of each value. Arrow writes a zero as ``0E-28`` and a value under
    10⁻⁶ in scientific notation (``1.000E-7``); zeros become ``0`` with a kernel, and the
    rare small values are written out in plain notation one by one."""
    text = pc.cast(column, pa.string())
    if column.type.scale > 0:
        text = pc.ascii_rtrim(pc.ascii_rtrim(text, characters="0"), characters=".")
    zero = pc.equal(column, pa.scalar(0, column.type))
    if pc.any(zero).as_py():
        text = pc.if_else(zero, pa.scalar("0"), text)
    scientific = pc.match_substring(text, "E")
    if pc.any(scientific).as_py():
        plain = [_plain(value) for value in pc.filter(column, scientific).to_pylist()]
        text = pc.replace_with_mask(text, scientific, pa.array(plain, pa.string()))
    return text


def _plain(value: Decimal) -> str:
    """``value`` in plain notation without trailing zeros (``1E-7`` → ``0.0000001``)."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _csv_header(names: Sequence[str]) -> bytes:
    quoted = (
        f'"{n.replace(chr(34), chr(34) * 2)}"' if any(ch in n for ch in ',"\r\n') else n
        for n in names
    )
    return (",".join(quoted) + "\n").encode()


def _needs_quotes(column: pa.Array | pa.ChunkedArray) -> bool:
    """Whether some value of a text column holds a quote, a comma or a line break.

    A ``string`` array's characters lie in one buffer, searched at memory speed (a regex over
    every value cost ten times as much); the buffer of a slice may hold characters of values
    outside it, which can only quote a batch that did not need it."""
    for chunk in column.chunks if isinstance(column, pa.ChunkedArray) else [column]:
        if not pa.types.is_string(chunk.type):
            if pc.any(pc.match_substring_regex(chunk, _NEEDS_QUOTES)).as_py():
                return True
            continue
        data = chunk.buffers()[2]
        text = data.to_pybytes() if data is not None else b""
        if any(ch in text for ch in _QUOTE_BYTES):
            return True
    return False


def _append_csv(batch: pa.RecordBatch | pa.Table, fh: BinaryIO) -> None:
    """Append ``batch`` as CSV rows, quoting values only when some value needs it (Arrow's
    ``needed`` style quotes every text value)."""
    # decimals as text, plan identifiers, fixed vocabularies and the hex fingerprint never
    # need quotes: check only the strings that come from the data or free-text labels
    needs = any(
        _needs_quotes(batch.column(i))
        for i, name in enumerate(batch.schema.names)
        if pa.types.is_string(batch.schema.field(i).type)
        and name not in _PLAIN_TEXT
        and batch.num_rows
    )
    text = pa.table(_columns_text(batch.columns), names=batch.schema.names)
    options = pcsv.WriteOptions(include_header=False, quoting_style="needed" if needs else "none")
    pcsv.write_csv(text, fh, write_options=options)


def _columns_text(
    columns: Sequence[pa.Array | pa.ChunkedArray],
) -> list[pa.Array | pa.ChunkedArray]:
    """``decimal_text`` of each column. A decimal column equal to an earlier one reuses its
    text: an earning line's to-date amount is its amount whenever nothing was paid before."""
    source = list(range(len(columns)))
    for i, column in enumerate(columns):
        if pa.types.is_decimal(column.type):
            source[i] = next(
                (
                    j
                    for j in range(i)
                    if source[j] == j
                    and columns[j].type == column.type
                    and columns[j].equals(column)
                ),
                i,
            )
    distinct = [i for i, s in enumerate(source) if s == i]
    with ThreadPoolExecutor(max_workers=4) as pool:  # Arrow kernels release the GIL
        texts = pool.map(decimal_text, [columns[i] for i in distinct])
        text = dict(zip(distinct, texts, strict=True))
    return [text[s] for s in source]


def _write_csv(
    names: Sequence[str], batches: Iterable[pa.RecordBatch | pa.Table], path: Path
) -> int:
    rows = 0
    with path.open("wb") as fh:
        fh.write(_csv_header(names))
        for batch in batches:
            if batch.num_rows:
                _append_csv(batch, fh)
                rows += batch.num_rows
    return rows


@contextmanager
def _replacing(outdir: str | Path) -> Iterator[Path]:
    """A temp folder beside ``outdir`` that replaces it on success and vanishes on failure."""
    target = Path(outdir)
    if target.exists() and (
        not target.is_dir() or (any(target.iterdir()) and not (target / MANIFEST).exists())
    ):
        raise EngineError(f"{target}: exists and is not an output folder of a previous run")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
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


def _manifest(
    folder: Path, fingerprint: str, period: str, plans: list[str], fmt: Format, rows: dict[str, int]
) -> None:
    manifest = {
        "fingerprint": fingerprint,
        "period": period,
        "engine_version": ENGINE_VERSION,
        "plans": plans,
        "format": fmt,
        "rows": rows,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def write_outputs(
    result: RunResult, outdir: str | Path, *, plans: list[str], fmt: Format = "csv"
) -> Path:
    """Write every table of ``result`` to ``outdir`` (replacing a previous run there)."""
    with _replacing(outdir) as tmp:
        rows = {}
        for name, table in result.tables.items():
            if fmt == "parquet":
                pq.write_table(table, tmp / f"{name}.parquet")
                rows[name] = table.num_rows
            else:
                rows[name] = _write_csv(table.column_names, [table], tmp / f"{name}.csv")
        _manifest(tmp, result.fingerprint, result.period, plans, fmt, rows)
    return Path(outdir)


def run_to_folder(
    plans: LoadedPlan | Sequence[LoadedPlan],
    inputs: dict[str, pa.Table],
    outdir: str | Path,
    *,
    period: str,
    fmt: Format = "csv",
    as_of: date | None = None,
    threads: int | None = None,
    memory_limit: str | None = None,
    plan_files: list[str] | None = None,
) -> FolderRun:
    """Run and stream the outputs straight from DuckDB into ``outdir``. Nothing is left
    behind on failure."""
    with (
        _replacing(outdir) as tmp,
        executed(
            plans, inputs, period=period, as_of=as_of, threads=threads, memory_limit=memory_limit
        ) as done,
    ):

        def write(name: str, con: duckdb.DuckDBPyConnection) -> int:
            sql = done.output_sql(name)
            if fmt == "parquet":
                path = str(tmp / f"{name}.parquet").replace("'", "''")
                count = con.execute(f"COPY ({sql}) TO '{path}' (FORMAT parquet)").fetchone()
                return int(count[0]) if count else 0
            reader = con.sql(sql).to_arrow_reader(_BATCH_ROWS)
            return _write_csv(reader.schema.names, reader, tmp / f"{name}.csv")

        # one by one under a memory limit, so that two sorts do not share it, and on one
        # thread (each cursor's query also runs on its caller's thread)
        side_by_side = fmt == "csv" and not memory_limit and threads != 1
        rows = done.each_output(write, side_by_side=side_by_side)
        files = plan_files if plan_files is not None else []
        _manifest(tmp, done.fingerprint, period, files, fmt, rows)
        return FolderRun(done.fingerprint, rows, done.program.script(get_dialect("duckdb")))
