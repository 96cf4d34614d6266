"""Input tables: their schemas, loading from CSV/Parquet folders, and normalisation.

Every input is read into DuckDB, checked and cast to its declared type (money and rates as
``DECIMAL(38, 10)``, dates as ``DATE``); a ``float`` column is refused (STYLE M2). A missing
optional table is an empty table of the declared schema. ``docs/plans.md`` documents them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from openspm.engine.compile.dialect import FX_RATE, MONEY, S_FX, S_MONEY, S_SHARE, SHARE
from openspm.engine.errors import DataError


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: str  # "string" | "money" | "rate" | "share" | "date"
    required: bool = False


def _cols(spec: str) -> tuple[Column, ...]:
    out = []
    for item in spec.split():
        name, _, kind = item.partition(":")
        required = name.endswith("!")
        kinds = {"s": "string", "m": "money", "r": "rate", "p": "share", "t": "date"}
        out.append(Column(name.rstrip("!"), kinds[kind], required))
    return tuple(out)


#: name → columns; ``!`` marks a required column. s = string, t = date, and decimals:
#: m = money (4 places), r = FX rate (10 places), p = share, weight or score (8 places).
SCHEMAS: dict[str, tuple[Column, ...]] = {
    "transactions": _cols(
        "transaction_id!:s payee_id:s amount!:m currency!:s booked_on!:t closed_on:t "
        "invoiced_on:t paid_on:t collected_amount:m status:s cancelled_on:t type:s "
        "product:s product_family:s account_id:s territory_id:s quantity:p"
    ),
    "splits": _cols("transaction_id!:s payee_id!:s split_percent!:p"),
    "payees": _cols(
        "payee_id!:s name:s currency:s hired_on:t terminated_on:t target_incentive_amount:m"
    ),
    "hierarchy": _cols("payee_id!:s manager_id!:s effective_from!:t effective_to:t"),
    "territory_assignments": _cols(
        "territory_id!:s payee_id!:s role:s split_percent:p effective_from!:t effective_to:t"
    ),
    "quotas": _cols("payee_id!:s measure_id!:s period_id!:s quota_amount!:m plan_id:s"),
    "fx_rates": _cols("from_currency!:s to_currency!:s rate!:r effective_from!:t effective_to:t"),
    "plan_assignments": _cols("payee_id!:s plan_id!:s effective_from!:t effective_to:t"),
    "leaves": _cols("payee_id!:s effective_from!:t effective_to:t kind:s"),
    "prior_payouts": _cols("payee_id!:s plan_id!:s period_id!:s amount!:m component_id:s"),
    "draw_balances": _cols("payee_id!:s plan_id!:s balance_amount!:m"),
    "mbo_scores": _cols("payee_id!:s period_id!:s objective_id!:s weight!:p score!:p"),
}

_SQL_TYPE = {"string": "VARCHAR", "money": MONEY, "rate": FX_RATE, "share": SHARE, "date": "DATE"}
_SCALE = {"money": S_MONEY, "rate": S_FX, "share": S_SHARE}
EXTRA_TABLES = frozenset({"transactions"})  # tables that may carry extra attribute columns


def read_folder(folder: str | Path) -> dict[str, pa.Table]:
    """Read ``<table>.csv`` or ``<table>.parquet`` files of ``folder`` as Arrow (CSV as text)."""
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"{root}: data folder not found")
    tables: dict[str, pa.Table] = {}
    con = duckdb.connect()
    try:
        for path in sorted(root.iterdir()):
            name, suffix = path.stem, path.suffix.lower()
            if name not in SCHEMAS or suffix not in (".csv", ".parquet"):
                continue
            if name in tables:
                raise DataError(f"{path}: table {name!r} is given twice")
            try:
                if suffix == ".csv":
                    rel = con.sql(
                        "SELECT * FROM read_csv(?, header = true, all_varchar = true, "
                        "auto_detect = true)",
                        params=[str(path)],
                    )
                    tables[name] = rel.to_arrow_table()
                else:
                    tables[name] = pq.read_table(path)
            except (duckdb.Error, pa.ArrowException) as exc:
                raise DataError(f"{path}: cannot read: {exc}") from None
    finally:
        con.close()
    return tables


def register(con: duckdb.DuckDBPyConnection, inputs: dict[str, pa.Table]) -> dict[str, str]:
    """Create normalised tables ``in_<name>`` from ``inputs``; return extra column types.

    Raises :class:`DataError` naming the table, row and column of the first bad value.
    """
    unknown = sorted(set(inputs) - set(SCHEMAS))
    if unknown:
        raise DataError(
            f"unknown input tables: {', '.join(unknown)} (known: {', '.join(sorted(SCHEMAS))})"
        )
    if "transactions" not in inputs:
        raise DataError("input table 'transactions' is required")
    extra: dict[str, str] = {}
    for name, columns in SCHEMAS.items():
        table = inputs.get(name)
        if table is None:
            cols = ", ".join(f"CAST(NULL AS {_SQL_TYPE[c.type]}) AS {c.name}" for c in columns)
            con.execute(f"CREATE OR REPLACE TABLE in_{name} AS SELECT {cols} WHERE false")
            continue
        extras = _register_one(con, name, columns, table, keep_extra=name in EXTRA_TABLES)
        extra.update(extras)
    return extra


def _register_one(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: tuple[Column, ...],
    table: pa.Table,
    *,
    keep_extra: bool,
) -> dict[str, str]:
    for field in table.schema:
        if pa.types.is_floating(field.type):
            raise DataError(
                f"{name}.{field.name}: floating-point columns are refused; "
                "give money and rates as text or decimal"
            )
    table = _typed_by_arrow(table, columns)
    raw = f"raw_{name}"
    con.register(raw, table)
    present = set(table.column_names)
    missing = [c.name for c in columns if c.required and c.name not in present]
    if missing:
        raise DataError(f"{name}: missing required column(s): {', '.join(missing)}")
    selects = []
    for col in columns:
        sql_type = _SQL_TYPE[col.type]
        if col.name not in present:
            selects.append(f"CAST(NULL AS {sql_type}) AS {col.name}")
            continue
        src = _source(con, name, raw, col, table.schema.field(col.name).type)
        selects.append(f"CAST({src} AS {sql_type}) AS {col.name}")
        if col.required:
            nulls = con.execute(
                f"SELECT rn FROM (SELECT ROW_NUMBER() OVER () AS rn, {src} AS v FROM {raw}) "
                f"WHERE v IS NULL ORDER BY rn LIMIT 1"
            ).fetchone()
            if nulls is not None:
                raise DataError(f"{name} row {nulls[0]}: column {col.name} is required")
    known = {c.name for c in columns}
    extras: dict[str, str] = {}
    for field in table.schema:
        if field.name in known or not keep_extra:
            continue
        if not field.name.isidentifier() or field.name.lower() != field.name:
            raise DataError(f"{name}: column name {field.name!r} must be snake_case")
        kind = extra_kind(field.name, field.type)
        extras[field.name] = kind
        if kind == "string":
            selects.append(f'CAST("{field.name}" AS VARCHAR) AS "{field.name}"')
            continue
        src = _source(con, name, raw, Column(field.name, kind), field.type)
        selects.append(f'CAST({src} AS {_SQL_TYPE[kind]}) AS "{field.name}"')
    # not TEMP, like the stages' tables: cursors that write outputs read them (run._execute)
    con.execute(f"CREATE OR REPLACE TABLE in_{name} AS SELECT {', '.join(selects)} FROM {raw}")
    con.unregister(raw)
    return extras


_ARROW_TYPE = {
    "money": pa.decimal128(38, S_MONEY),
    "rate": pa.decimal128(38, S_FX),
    "share": pa.decimal128(38, S_SHARE),
    "date": pa.date32(),
}


def _typed_by_arrow(table: pa.Table, columns: tuple[Column, ...]) -> pa.Table:
    """Text columns of decimals and dates parsed by Arrow's kernels where every value parses.

    DuckDB parses text into 128-bit decimals at several microseconds a value; Arrow is far
    faster. A column with any value Arrow refuses (or would round) stays text, and the checks
    in :func:`_source` then name its first bad row.
    """
    for col in columns:
        target = _ARROW_TYPE.get(col.type)
        if target is None or col.name not in table.column_names:
            continue
        i = table.column_names.index(col.name)
        values = table.column(i)
        if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
            continue
        trimmed = pc.utf8_trim_whitespace(values)
        blank = pc.equal(trimmed, "")
        try:
            parsed = pc.cast(pc.if_else(blank, pa.scalar(None, trimmed.type), trimmed), target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        table = table.set_column(i, col.name, parsed)
    return table


#: Suffixes that type an extra (non-schema) column read from text.
DECIMAL_SUFFIXES = ("_amount", "_count", "_quantity", "_percent", "_rate", "_score")


def extra_kind(name: str, arrow_type: pa.DataType) -> str:
    """The type of an extra column: from Arrow, or by naming convention for text columns."""
    if pa.types.is_date(arrow_type):
        return "date"
    numeric = pa.types.is_integer(arrow_type) or pa.types.is_decimal(arrow_type)
    text = pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    if text and name.endswith("_on"):
        return "date"
    if numeric or (text and name.endswith(DECIMAL_SUFFIXES)):
        return "money" if name.endswith("_amount") else "share"
    return "string"


def _source(
    con: duckdb.DuckDBPyConnection, name: str, raw: str, col: Column, arrow_type: pa.DataType
) -> str:
    """SQL reading ``col`` from ``raw``: typed columns directly, text checked value by value."""
    quoted = f'"{col.name}"'
    scale = _SCALE.get(col.type)
    if scale is not None and (
        pa.types.is_integer(arrow_type)
        or (pa.types.is_decimal(arrow_type) and arrow_type.scale <= scale)
    ):
        return quoted
    if (col.type == "date" and pa.types.is_date(arrow_type)) or (
        col.type == "string" and pa.types.is_string(arrow_type)
    ):
        return f"NULLIF({quoted}, '')" if col.type == "string" else quoted
    src = f"NULLIF(TRIM(CAST({quoted} AS VARCHAR)), '')"
    _check_castable(con, name, raw, col, src)
    return src


def _check_castable(
    con: duckdb.DuckDBPyConnection, name: str, raw: str, col: Column, src: str
) -> None:
    sql_type = _SQL_TYPE[col.type]
    bad = con.execute(
        f"SELECT rn, v FROM (SELECT ROW_NUMBER() OVER () AS rn, {src} AS v FROM {raw}) "
        f"WHERE v IS NOT NULL AND TRY_CAST(v AS {sql_type}) IS NULL ORDER BY rn LIMIT 1"
    ).fetchone()
    if bad is not None:
        kind = "date" if col.type == "date" else "string" if col.type == "string" else "decimal"
        raise DataError(f"{name} row {bad[0]}: column {col.name}: {bad[1]!r} is not a valid {kind}")
    scale = _SCALE.get(col.type)
    if scale is None:
        return
    fine = con.execute(
        f"SELECT rn, v FROM (SELECT ROW_NUMBER() OVER () AS rn, {src} AS v FROM {raw}) "
        f"WHERE v IS NOT NULL AND TRY_CAST(v AS DECIMAL(38, 16)) <> TRY_CAST(v AS {sql_type}) "
        "ORDER BY rn LIMIT 1"
    ).fetchone()
    if fine is not None:
        raise DataError(
            f"{name} row {fine[0]}: column {col.name}: {fine[1]!r} has more than "
            f"{scale} decimal places"
        )
