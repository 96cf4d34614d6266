"""Typed, immutable IR of the expression language (STYLE E4).

Nodes are frozen dataclasses; the SQL compiler visits them (``compile/sql.py``) and a reference
evaluator may live in tests. ``DType`` is the small type system the checker works in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Literal

DType = Literal["number", "string", "date", "bool", "null"]
Value = Decimal | str | date | bool | None
ArithOp = Literal["+", "-", "*", "/"]
CompareOp = Literal["==", "!=", "<", "<=", ">", ">="]


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every IR node; ``pos`` is the 0-based offset in the expression text."""

    pos: int


@dataclass(frozen=True, slots=True)
class Lit(Node):
    value: Value
    dtype: DType


@dataclass(frozen=True, slots=True)
class Col(Node):
    name: str


@dataclass(frozen=True, slots=True)
class Neg(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Arith(Node):
    op: ArithOp
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    op: CompareOp
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class BoolOp(Node):
    op: Literal["and", "or"]
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class InList(Node):
    operand: Node
    values: tuple[Lit, ...]
    negated: bool


@dataclass(frozen=True, slots=True)
class IsNull(Node):
    operand: Node
    negated: bool


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str
    args: tuple[Node, ...]


def columns_of(node: Node) -> set[str]:
    """Every column name the expression reads."""
    if isinstance(node, Col):
        return {node.name}
    out: set[str] = set()
    for child in children(node):
        out |= columns_of(child)
    return out


def children(node: Node) -> tuple[Node, ...]:
    """Direct sub-expressions of ``node``."""
    if isinstance(node, Neg | Not):
        return (node.operand,)
    if isinstance(node, Arith | Compare):
        return (node.left, node.right)
    if isinstance(node, BoolOp):
        return node.operands
    if isinstance(node, InList):
        return (node.operand, *node.values)
    if isinstance(node, IsNull):
        return (node.operand,)
    if isinstance(node, Call):
        return node.args
    return ()
