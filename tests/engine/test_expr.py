"""The expression language: parsing, type checking, SQL rendering; never eval."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import duckdb
import pytest

from openspm.engine import expr, ir
from openspm.engine.compile.dialect import get_dialect
from openspm.engine.compile.sql import ExprCompiler

COLUMNS: dict[str, ir.DType] = {
    "amount": "number",
    "type": "string",
    "booked_on": "date",
    "quantity": "number",
}


def sql_of(text: str) -> str:
    d = get_dialect("duckdb")
    return ExprCompiler(d, lambda c: d.ident(c), COLUMNS).visit(expr.parse(text))


def evaluate(text: str, **row: object) -> object:
    con = duckdb.connect()
    cols = ", ".join(f"? AS {k}" for k in row)
    result = con.execute(f"SELECT {sql_of(text)} FROM (SELECT {cols})", list(row.values()))
    value = result.fetchone()
    assert value is not None
    return value[0]


class TestParse:
    def test_precedence_and_literals(self) -> None:
        node = expr.parse("amount * 0.9 + 1 > 10 and type in ['new', 'upsell']")
        assert isinstance(node, ir.BoolOp)
        assert ir.columns_of(node) == {"amount", "type"}
        assert node.op == "and"

    def test_numbers_are_decimal(self) -> None:
        node = expr.parse("0.035")
        assert node == ir.Lit(0, Decimal("0.035"), "number")

    def test_date_literal(self) -> None:
        node = expr.parse("date('2026-01-01')")
        assert isinstance(node, ir.Lit)
        assert node.value == date(2026, 1, 1)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("amount *", "unexpected 'end of text'"),
            ("amount $ 2", "unexpected character '$'"),
            ("__import__('os')", "unknown function '__import__'"),
            ("abs(1, 2)", "abs() takes 1-1 arguments"),
            ("type in [amount]", "only literals are allowed in a list"),
        ],
    )
    def test_errors_carry_their_position(self, text: str, message: str) -> None:
        with pytest.raises(
            expr.ExprError,
            match=message.replace("(", r"\(")
            .replace(")", r"\)")
            .replace("[", r"\[")
            .replace("$", r"\$"),
        ):
            expr.parse(text)


class TestCheck:
    def test_types(self) -> None:
        assert expr.check(expr.parse("amount - 1"), COLUMNS) == "number"
        assert expr.check(expr.parse("type == 'new'"), COLUMNS) == "bool"
        assert expr.check(expr.parse("if(amount > 5, 'big', 'small')"), COLUMNS) == "string"

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("amount + type", "expected number, found string"),
            ("type == 5", "cannot compare string with number"),
            ("colour == 'red'", "unknown column 'colour'"),
            ("amount and true", "expected bool, found number"),
        ],
    )
    def test_type_errors(self, text: str, message: str) -> None:
        with pytest.raises(expr.ExprError, match=message):
            expr.check(expr.parse(text), COLUMNS)


class TestSql:
    def test_evaluates_in_duckdb(self) -> None:
        assert evaluate("amount * 0.5 + 1", amount=Decimal("10")) == Decimal("6")
        assert evaluate("amount / 3", amount=Decimal("10")) == Decimal("3.3333333333")
        assert evaluate("type not in ['renewal'] and starts_with(type, 'ne')", type="new") is True
        assert evaluate("coalesce(quantity, 0) + 1", quantity=None) == Decimal(1)
        assert evaluate(
            "days_between(booked_on, date('2026-01-31'))", booked_on=date(2026, 1, 1)
        ) == Decimal(30)

    def test_strings_are_escaped(self) -> None:
        assert evaluate("type == 'o''brien'", type="o'brien") is True
        assert "''" in sql_of("type == 'a''b'")
