"""The safe expression language of measures, filters and classifications.

A tokenizer and a recursive-descent parser turn text such as
``amount * 0.9 if ...`` into IR nodes (``ir.py``), and ``check`` infers and verifies types
against the columns available. Nothing is ever ``eval``-ed. Grammar::

    or      := and ("or" and)*
    and     := not ("and" not)*
    not     := "not" not | compare
    compare := sum [("=="|"!="|"<"|"<="|">"|">=") sum | ["not"] "in" "[" lit ("," lit)* "]"
                    | "is" ["not"] "null"]
    sum     := product (("+"|"-") product)*
    product := unary (("*"|"/") unary)*
    unary   := "-" unary | atom
    atom    := number | 'string' | true | false | null | name | name "(" args ")" | "(" or ")"

Functions: ``coalesce``, ``abs``, ``least``, ``greatest``, ``if(cond, a, b)``,
``date('2026-01-01')``, ``lower``, ``upper``, ``starts_with(text, prefix)``,
``days_between(from_date, to_date)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import cast

from openspm.engine import ir

_TOKEN = re.compile(
    r"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<string>'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>==|!=|<=|>=|[-+*/<>(),\[\]]))"
)
_KEYWORDS = {"and", "or", "not", "in", "is", "true", "false", "null"}
FUNCTIONS: dict[str, tuple[int, int]] = {
    "coalesce": (1, 16),
    "abs": (1, 1),
    "least": (2, 16),
    "greatest": (2, 16),
    "if": (3, 3),
    "date": (1, 1),
    "lower": (1, 1),
    "upper": (1, 1),
    "starts_with": (2, 2),
    "days_between": (2, 2),
}


class ExprError(Exception):
    """A syntax or type error at ``pos`` (0-based offset in the expression)."""

    def __init__(self, pos: int, message: str) -> None:
        self.pos = pos
        self.message = message
        super().__init__(f"{message} (at column {pos + 1})")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; unknown characters are an :class:`ExprError`."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            bad = pos + (len(text[pos:]) - len(text[pos:].lstrip()))
            raise ExprError(bad, f"unexpected character {text[bad]!r}")
        kind = cast(str, m.lastgroup)
        value = m.group(kind)
        start = m.start(kind)
        if kind == "name" and value in _KEYWORDS:
            kind = "kw"
        tokens.append(Token(kind, value, start))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.i = 0

    def peek(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def accept(self, kind: str, text: str) -> Token | None:
        tok = self.peek()
        if tok.kind == kind and tok.text == text:
            self.i += 1
            return tok
        return None

    def expect(self, kind: str, text: str) -> Token:
        tok = self.accept(kind, text)
        if tok is None:
            got = self.peek()
            raise ExprError(got.pos, f"expected {text!r}, found {got.text or 'end of text'!r}")
        return tok

    def parse(self) -> ir.Node:
        node = self.or_()
        tok = self.peek()
        if tok.kind != "end":
            raise ExprError(tok.pos, f"unexpected {tok.text!r}")
        return node

    def or_(self) -> ir.Node:
        first = self.and_()
        items = [first]
        while self.accept("kw", "or"):
            items.append(self.and_())
        return first if len(items) == 1 else ir.BoolOp(first.pos, "or", tuple(items))

    def and_(self) -> ir.Node:
        first = self.not_()
        items = [first]
        while self.accept("kw", "and"):
            items.append(self.not_())
        return first if len(items) == 1 else ir.BoolOp(first.pos, "and", tuple(items))

    def not_(self) -> ir.Node:
        tok = self.accept("kw", "not")
        if tok:
            return ir.Not(tok.pos, self.not_())
        return self.compare()

    def compare(self) -> ir.Node:
        left = self.sum_()
        tok = self.peek()
        if tok.kind == "op" and tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self.take()
            op = cast(ir.CompareOp, tok.text)
            return ir.Compare(tok.pos, op, left, self.sum_())
        negated = False
        if tok.kind == "kw" and tok.text == "not" and self.tokens[self.i + 1].text == "in":
            self.take()
            negated = True
        if self.accept("kw", "in"):
            self.expect("op", "[")
            values = [self.literal()]
            while self.accept("op", ","):
                values.append(self.literal())
            self.expect("op", "]")
            return ir.InList(left.pos, left, tuple(values), negated)
        if self.accept("kw", "is"):
            neg = self.accept("kw", "not") is not None
            self.expect("kw", "null")
            return ir.IsNull(left.pos, left, neg)
        return left

    def literal(self) -> ir.Lit:
        node = self.unary()
        if isinstance(node, ir.Neg) and isinstance(node.operand, ir.Lit):
            lit = node.operand
            if isinstance(lit.value, Decimal):
                return ir.Lit(node.pos, -lit.value, "number")
        if not isinstance(node, ir.Lit):
            raise ExprError(node.pos, "only literals are allowed in a list")
        return node

    def sum_(self) -> ir.Node:
        node = self.product()
        while (tok := self.peek()).kind == "op" and tok.text in ("+", "-"):
            self.take()
            node = ir.Arith(tok.pos, cast(ir.ArithOp, tok.text), node, self.product())
        return node

    def product(self) -> ir.Node:
        node = self.unary()
        while (tok := self.peek()).kind == "op" and tok.text in ("*", "/"):
            self.take()
            node = ir.Arith(tok.pos, cast(ir.ArithOp, tok.text), node, self.unary())
        return node

    def unary(self) -> ir.Node:
        tok = self.accept("op", "-")
        if tok:
            return ir.Neg(tok.pos, self.unary())
        return self.atom()

    def atom(self) -> ir.Node:
        tok = self.take()
        if tok.kind == "number":
            return ir.Lit(tok.pos, Decimal(tok.text), "number")
        if tok.kind == "string":
            quote = tok.text[0]
            return ir.Lit(tok.pos, tok.text[1:-1].replace(quote * 2, quote), "string")
        if tok.kind == "kw" and tok.text in ("true", "false"):
            return ir.Lit(tok.pos, tok.text == "true", "bool")
        if tok.kind == "kw" and tok.text == "null":
            return ir.Lit(tok.pos, None, "null")
        if tok.kind == "name":
            if self.accept("op", "("):
                return self.call(tok)
            return ir.Col(tok.pos, tok.text)
        if tok.kind == "op" and tok.text == "(":
            node = self.or_()
            self.expect("op", ")")
            return node
        raise ExprError(tok.pos, f"unexpected {tok.text or 'end of text'!r}")

    def call(self, name: Token) -> ir.Node:
        if name.text not in FUNCTIONS:
            raise ExprError(name.pos, f"unknown function {name.text!r}")
        args: list[ir.Node] = []
        if not self.accept("op", ")"):
            args.append(self.or_())
            while self.accept("op", ","):
                args.append(self.or_())
            self.expect("op", ")")
        low, high = FUNCTIONS[name.text]
        if not low <= len(args) <= high:
            raise ExprError(name.pos, f"{name.text}() takes {low}-{high} arguments")
        if name.text == "date":
            arg = args[0]
            if not (isinstance(arg, ir.Lit) and isinstance(arg.value, str)):
                raise ExprError(arg.pos, "date() takes a literal 'YYYY-MM-DD'")
            try:
                return ir.Lit(name.pos, date.fromisoformat(arg.value), "date")
            except ValueError:
                raise ExprError(arg.pos, f"invalid date {arg.value!r}") from None
        return ir.Call(name.pos, name.text, tuple(args))


def parse(text: str) -> ir.Node:
    """Parse ``text`` into an IR tree, or raise :class:`ExprError`."""
    return _Parser(text).parse()


def check(node: ir.Node, columns: dict[str, ir.DType]) -> ir.DType:
    """Infer the type of ``node`` given column types; raise :class:`ExprError` on a mismatch."""
    if isinstance(node, ir.Lit):
        return node.dtype
    if isinstance(node, ir.Col):
        if node.name not in columns:
            known = ", ".join(sorted(columns))
            raise ExprError(node.pos, f"unknown column {node.name!r} (known: {known})")
        return columns[node.name]
    if isinstance(node, ir.Neg):
        _want(node.operand, columns, "number")
        return "number"
    if isinstance(node, ir.Arith):
        _want(node.left, columns, "number")
        _want(node.right, columns, "number")
        return "number"
    if isinstance(node, ir.Compare):
        left, right = check(node.left, columns), check(node.right, columns)
        if "null" not in (left, right) and left != right:
            raise ExprError(node.pos, f"cannot compare {left} with {right}")
        return "bool"
    if isinstance(node, ir.BoolOp):
        for operand in node.operands:
            _want(operand, columns, "bool")
        return "bool"
    if isinstance(node, ir.Not):
        _want(node.operand, columns, "bool")
        return "bool"
    if isinstance(node, ir.InList):
        kind = check(node.operand, columns)
        for value in node.values:
            if value.dtype != kind:
                raise ExprError(value.pos, f"list value is {value.dtype}, expected {kind}")
        return "bool"
    if isinstance(node, ir.IsNull):
        check(node.operand, columns)
        return "bool"
    if isinstance(node, ir.Call):
        return _check_call(node, columns)
    raise ExprError(node.pos, f"unsupported node {type(node).__name__}")


def _want(node: ir.Node, columns: dict[str, ir.DType], kind: ir.DType) -> None:
    got = check(node, columns)
    if got not in (kind, "null"):
        raise ExprError(node.pos, f"expected {kind}, found {got}")


def _check_call(node: ir.Call, columns: dict[str, ir.DType]) -> ir.DType:
    kinds = [check(arg, columns) for arg in node.args]
    fn = node.func
    if fn in ("abs",):
        _want(node.args[0], columns, "number")
        return "number"
    if fn in ("lower", "upper"):
        _want(node.args[0], columns, "string")
        return "string"
    if fn == "starts_with":
        _want(node.args[0], columns, "string")
        _want(node.args[1], columns, "string")
        return "bool"
    if fn == "days_between":
        _want(node.args[0], columns, "date")
        _want(node.args[1], columns, "date")
        return "number"
    if fn == "if":
        _want(node.args[0], columns, "bool")
        kinds = kinds[1:]
    real = {k for k in kinds if k != "null"}
    if len(real) > 1:
        raise ExprError(node.pos, f"{fn}() mixes types {sorted(real)}")
    return real.pop() if real else "null"
