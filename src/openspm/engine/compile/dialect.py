"""SQL dialects: the few places where DuckDB, PostgreSQL and Spark SQL differ.

Numbers are exact fixed-point decimals. Inputs have declared scales (money 4 places, FX rates
8, shares/percentages 6) and plan literals keep their own scale, so a product is exact and its
scale is the sum of its factors' scales: no multiplication rounds. (Down-scaling a 128-bit
DECIMAL is slow in DuckDB, so :meth:`Dialect.rescale` is used only on rare rows.) DuckDB turns
``DECIMAL / DECIMAL`` into ``DOUBLE``, so division goes through :meth:`Dialect.div`, which
divides scaled integers and rounds half away from zero at the 10th decimal place: no float
ever touches money.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from openspm.engine.errors import NotSupported

SCALE = 10
DEC = f"DECIMAL(38, {SCALE})"
# Canonical scales: every column of every stage has one, so that no CASE or UNION mixes
# scales (DuckDB would resolve mixed DECIMAL(38, s) to the smallest scale and round).
# inputs: money 4, shares/weights/scores 8, FX rates 10; plan numbers at most 6 places
S_MONEY, S_SHARE, S_FX, S_PLAN = 4, 8, 10, 6
S_RATIO = 10  # ratios and results of division (attainment, prorations)
S_TX = S_MONEY + S_FX  # transaction money in plan currency
S_VALUE = S_TX + S_SHARE  # a credited value
S_LINE = S_VALUE + S_PLAN  # an earning line: credited value x rate
LINE_SCALE = S_LINE
MONEY = f"DECIMAL(38, {S_MONEY})"
FX_RATE = f"DECIMAL(38, {S_FX})"
SHARE = f"DECIMAL(38, {S_SHARE})"


class Dialect:
    """DuckDB, the default; other dialects override what differs."""

    name = "duckdb"
    text = "VARCHAR"

    def typed(self, select: str, types: dict[str, str]) -> str:
        """``select`` (positional columns) with every column cast to its canonical type, so a
        UNION never depends on how a dialect types NULL or mixes scales."""
        cols = ", ".join(
            f"CAST(z.{c} AS {t.replace('TEXT', self.text)}) AS {c}" for c, t in types.items()
        )
        return f"SELECT {cols} FROM (\n{select}\n) z({', '.join(types)})"

    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def str_lit(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def dec_lit(self, value: Decimal | int) -> str:
        """A decimal literal at its own scale (``0.035`` → ``DECIMAL(18, 3)``)."""
        number = Decimal(value)
        text = format(number.normalize(), "f") if number else "0"
        exponent = number.normalize().as_tuple().exponent
        scale = max(0, -exponent) if isinstance(exponent, int) else 0
        digits = len(text.replace("-", "").replace(".", "").lstrip("0")) + scale + 1
        precision = 18 if digits <= 18 else 38
        return f"CAST({self.str_lit(text)} AS DECIMAL({precision}, {scale}))"

    def at(self, sql: str | int, scale: int) -> str:
        """``sql`` as ``DECIMAL(38, scale)`` (cheap when it only adds places)."""
        return f"CAST({sql} AS DECIMAL(38, {scale}))"

    def zero(self, scale: int) -> str:
        return f"CAST(0 AS DECIMAL(38, {scale}))"

    def scaled_mul(self, a: str, b: str, b_scale: int, scale: int = LINE_SCALE) -> str:
        """``a * b`` at ``scale`` places: ``a`` is first rounded to ``scale - b_scale`` places so
        the product fits (slow for 128-bit values: use on rare rows only)."""
        return f"(({self.at(a, scale - b_scale)}) * ({b}))"

    def rescale(self, sql: str, scale: int = LINE_SCALE) -> str:
        """Round ``sql`` to ``scale`` places (slow for 128-bit values: use on rare rows only)."""
        return f"CAST({sql} AS DECIMAL(38, {scale}))"

    def date_lit(self, value: date) -> str:
        return f"DATE {self.str_lit(value.isoformat())}"

    def dec(self, sql: str | int) -> str:
        return f"CAST({sql} AS {DEC})"

    def mul(self, a: str, b: str) -> str:
        """Exact product; its scale is the sum of the factors' scales."""
        return f"(({a}) * ({b}))"

    def int_div(self, a: str, b: str) -> str:
        """Integer division truncating toward zero."""
        return f"(({a}) // ({b}))"

    def div(self, a: str, b: str) -> str:
        """Exact decimal ``a / b`` rounded half away from zero at 10 places; NULL when b = 0."""
        num = f"(CAST(CAST({a} AS {DEC}) * 10000000000 AS HUGEINT) * CAST(100000000000 AS HUGEINT))"
        den = f"CAST(CAST({b} AS {DEC}) * 10000000000 AS HUGEINT)"
        q = self.int_div(num, f"NULLIF({den}, 0)")
        rounded = self.int_div(f"{q} + SIGN({q}) * 5", "10")
        tiny = "CAST('0.0000000001' AS DECIMAL(11, 10))"
        return f"CAST(CAST({rounded} AS DECIMAL(38, 0)) * {tiny} AS {DEC})"

    def month_index(self, d: str) -> str:
        year, month = f"EXTRACT(YEAR FROM {d})", f"EXTRACT(MONTH FROM {d})"
        return f"(CAST({year} AS BIGINT) * 12 + CAST({month} AS BIGINT) - 1)"

    def days_between(self, a: str, b: str) -> str:
        return f"CAST(DATE_DIFF('day', {a}, {b}) AS {DEC})"

    def string_agg(self, expr: str, sep: str, order_by: str) -> str:
        """``expr`` of a group's rows joined by ``sep`` in the order of ``order_by``, a key
        that sorts as ``expr`` does (an integer rank of a text, which sorts faster)."""
        return f"STRING_AGG({expr}, {self.str_lit(sep)} ORDER BY {order_by})"

    def concat(self, *parts: str) -> str:
        return "(" + " || ".join(f"CAST({p} AS VARCHAR)" for p in parts) + ")"

    def round_money(self, x: str, places: int, mode: str) -> str:
        """Round ``x`` to ``places`` decimals, half up (away from zero) or half even."""
        if mode == "half_up":
            return f"CAST(ROUND(CAST({x} AS {DEC}), {places}) AS {DEC})"
        unit = Decimal(1).scaleb(-places)
        scaled = self.div(x, self.dec_lit(unit))
        t = f"TRUNC({scaled})"
        r = (
            f"CASE WHEN ABS({scaled} - {t}) = 0.5 THEN {t} + CASE WHEN CAST({t} AS HUGEINT) % "
            "2 = 0 "
            f"THEN 0 ELSE SIGN({scaled}) END ELSE ROUND({scaled}, 0) END"
        )
        return self.mul(r, self.dec_lit(unit))

    def recursive(self) -> str:
        return "WITH RECURSIVE"

    def create_table(self, name: str, select: str) -> str:
        return f"CREATE OR REPLACE TEMP TABLE {name} AS\n{select}"

    def create_view(self, name: str, select: str) -> str:
        return f"CREATE OR REPLACE TEMP VIEW {name} AS\n{select}"


class Postgres(Dialect):
    """PostgreSQL 15: NUMERIC division is exact, integer division is ``DIV``."""

    name = "postgres"

    def int_div(self, a: str, b: str) -> str:
        return f"DIV({a}, {b})"

    def div(self, a: str, b: str) -> str:
        return f"ROUND(CAST({a} AS {DEC}) / NULLIF(CAST({b} AS {DEC}), 0), {SCALE})"

    def days_between(self, a: str, b: str) -> str:
        return f"CAST(({b}) - ({a}) AS {DEC})"

    def concat(self, *parts: str) -> str:
        return "(" + " || ".join(f"CAST({p} AS TEXT)" for p in parts) + ")"

    def round_money(self, x: str, places: int, mode: str) -> str:
        if mode == "half_up":
            return f"ROUND(CAST({x} AS {DEC}), {places})"
        scaled = f"(CAST({x} AS {DEC}) * {10**places})"
        t = f"TRUNC({scaled})"
        even = f"({t} + CASE WHEN MOD({t}, 2) = 0 THEN 0 ELSE SIGN({scaled}) END) / {10**places}"
        return (
            f"CAST(CASE WHEN ABS({scaled} - {t}) = 0.5 THEN {even} "
            f"ELSE ROUND(CAST({x} AS {DEC}), {places}) END AS {DEC})"
        )

    def create_table(self, name: str, select: str) -> str:
        return f"CREATE TEMP TABLE {name} AS\n{select}"


class Spark(Dialect):
    """Spark SQL 4: backtick identifiers, ``DIV``, ``array_join`` for ordered lists."""

    name = "spark"
    text = "STRING"

    def ident(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def int_div(self, a: str, b: str) -> str:
        return f"(({a}) DIV ({b}))"

    def div(self, a: str, b: str) -> str:
        return f"CAST(ROUND(CAST({a} AS {DEC}) / NULLIF(CAST({b} AS {DEC}), 0), {SCALE}) AS {DEC})"

    def days_between(self, a: str, b: str) -> str:
        return f"CAST(DATEDIFF({b}, {a}) AS {DEC})"

    def string_agg(self, expr: str, sep: str, order_by: str) -> str:
        # Spark has no ordered aggregate: sorting the values gives the same order
        return f"ARRAY_JOIN(ARRAY_SORT(COLLECT_LIST({expr})), {self.str_lit(sep)})"

    def concat(self, *parts: str) -> str:
        return "CONCAT(" + ", ".join(f"CAST({p} AS STRING)" for p in parts) + ")"

    def round_money(self, x: str, places: int, mode: str) -> str:
        fn = "ROUND" if mode == "half_up" else "BROUND"
        return f"{fn}(CAST({x} AS {DEC}), {places})"

    def recursive(self) -> str:
        raise NotSupported("recursive hierarchy closure is not rendered for spark yet")

    def create_table(self, name: str, select: str) -> str:
        return f"CREATE OR REPLACE TEMPORARY VIEW {name} AS\n{select}"


DIALECTS: dict[str, Dialect] = {"duckdb": Dialect(), "postgres": Postgres(), "spark": Spark()}


def get_dialect(name: str) -> Dialect:
    """The dialect called ``name``."""
    try:
        return DIALECTS[name]
    except KeyError:
        raise NotSupported(f"unknown SQL dialect {name!r}") from None
