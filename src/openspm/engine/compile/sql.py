"""The SQL generator for expressions: a visitor over IR nodes, rendered through a dialect."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from openspm.engine import ir
from openspm.engine.compile.dialect import S_TX, Dialect
from openspm.engine.errors import NotSupported


class ExprCompiler:
    """Render IR to SQL; columns are qualified with ``alias`` (or mapped by ``column``)."""

    def __init__(
        self,
        dialect: Dialect,
        column: Callable[[str], str],
        types: dict[str, ir.DType] | None = None,
    ) -> None:
        self.d = dialect
        self.column = column
        self.types = types or {}

    def _same_scale(self, nodes: tuple[ir.Node, ...]) -> list[str]:
        """Render branches of a CASE-like function; numbers share one scale (S_TX), since
        DuckDB resolves mixed DECIMAL scales to the smallest one."""
        from openspm.engine import expr

        out = []
        for node in nodes:
            sql = self.visit(node)
            try:
                numeric = expr.check(node, self.types) == "number"
            except expr.ExprError:
                numeric = False
            out.append(self.d.at(sql, S_TX) if numeric else sql)
        return out

    def visit(self, node: ir.Node) -> str:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise NotSupported(f"{type(node).__name__} is not supported by {self.d.name}")
        result: str = method(node)
        return result

    def visit_Lit(self, node: ir.Lit) -> str:
        value = node.value
        if value is None:
            return "NULL"
        if isinstance(value, bool):
            return "TRUE" if value else "FALSE"
        if isinstance(value, Decimal):
            return self.d.dec_lit(value)
        if isinstance(value, date):
            return self.d.date_lit(value)
        return self.d.str_lit(value)

    def visit_Col(self, node: ir.Col) -> str:
        return self.column(node.name)

    def visit_Neg(self, node: ir.Neg) -> str:
        return f"(-{self.visit(node.operand)})"

    def visit_Arith(self, node: ir.Arith) -> str:
        left, right = self.visit(node.left), self.visit(node.right)
        if node.op == "/":
            return self.d.div(left, right)
        if node.op == "*":
            return self.d.mul(left, right)
        return f"({left} {node.op} {right})"

    def visit_Compare(self, node: ir.Compare) -> str:
        op = {"==": "=", "!=": "<>"}.get(node.op, node.op)
        return f"({self.visit(node.left)} {op} {self.visit(node.right)})"

    def visit_BoolOp(self, node: ir.BoolOp) -> str:
        sep = f" {node.op.upper()} "
        return "(" + sep.join(self.visit(o) for o in node.operands) + ")"

    def visit_Not(self, node: ir.Not) -> str:
        return f"(NOT {self.visit(node.operand)})"

    def visit_InList(self, node: ir.InList) -> str:
        values = ", ".join(self.visit(v) for v in node.values)
        neg = "NOT " if node.negated else ""
        return f"({self.visit(node.operand)} {neg}IN ({values}))"

    def visit_IsNull(self, node: ir.IsNull) -> str:
        return f"({self.visit(node.operand)} IS {'NOT ' if node.negated else ''}NULL)"

    def visit_Call(self, node: ir.Call) -> str:
        fn = node.func
        if fn in ("if", "coalesce", "least", "greatest"):
            args = (
                [self.visit(node.args[0]), *self._same_scale(node.args[1:])]
                if fn == "if"
                else self._same_scale(node.args)
            )
        else:
            args = [self.visit(a) for a in node.args]
        if fn == "if":
            return f"(CASE WHEN {args[0]} THEN {args[1]} ELSE {args[2]} END)"
        if fn == "starts_with":
            return f"(SUBSTRING({args[0]}, 1, LENGTH({args[1]})) = {args[1]})"
        if fn == "days_between":
            return self.d.days_between(args[0], args[1])
        if fn in ("coalesce", "abs", "least", "greatest", "lower", "upper"):
            return f"{fn.upper()}({', '.join(args)})"
        raise NotSupported(f"function {fn}() is not supported by {self.d.name}")


def bool_filter(compiler: ExprCompiler, node: ir.Node | None) -> str:
    """A filter's SQL, NULL counting as false; ``TRUE`` when there is no filter."""
    if node is None:
        return "TRUE"
    return f"COALESCE({compiler.visit(node)}, FALSE)"
