"""Comp has one door to the engine: `comp.services.calc.run_engine` (STYLE E3): runs,
reproductions, simulations and the what-if estimator all go through it."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "openspm"
COMP = SRC / "comp"
DOOR = COMP / "services" / "calc.py"


def _engine_run_calls(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (
            node.module == "openspm.engine.run"
            or (node.module == "openspm.engine" and any(a.name == "run" for a in node.names))
        ):
            lines.append(node.lineno)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "run"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "engine"
        ):
            lines.append(node.lineno)
    return lines


def test_only_calc_run_engine_calls_the_engine() -> None:
    callers = {
        f"{path.relative_to(SRC)}:{line}"
        for path in COMP.rglob("*.py")
        for line in _engine_run_calls(path)
    }
    door = {c for c in callers if c.startswith("comp/services/calc.py:")}
    assert len(door) == 1, callers
    assert callers == door


def test_the_door_is_found() -> None:
    assert _engine_run_calls(DOOR)
