"""Load plan documents: YAML → :class:`Plan`, collecting every issue with its location (E2)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path as FsPath
from typing import Any

from pydantic import ValidationError

from openspm.engine import expr, ir
from openspm.engine.errors import PlanError, PlanIssue
from openspm.engine.plan import checks
from openspm.engine.plan.schema import Plan
from openspm.engine.plan.source import Path, Source, YamlSyntaxError, parse_yaml


@dataclass(frozen=True)
class LoadedPlan:
    """A validated plan with its source text, file name and line map."""

    plan: Plan
    text: str
    file: str
    source: Source

    @property
    def fingerprint(self) -> str:
        """sha256 of the plan text."""
        return hashlib.sha256(self.text.encode()).hexdigest()

    def issue(self, path: Path, message: str) -> PlanIssue:
        """A :class:`PlanIssue` located at ``path`` of this plan."""
        return PlanIssue(self.file, self.source.line_of(path), format_path(path), message)


def format_path(path: Path) -> str:
    """``("components", 2, "rate")`` → ``components[2].rate``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def _data_path(loc: tuple[Any, ...], data: Any) -> Path:
    """Map a Pydantic error location onto the document, dropping union tags."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and node.get("kind") == part:
            continue  # discriminator tag of a union member
        elif isinstance(part, str) and part.endswith("]") and "[" in part:
            continue  # constrained-type wrapper such as "constrained-str"
        else:
            path.append(part)
            node = None
    return tuple(path)


def load_plan_text(text: str, file: str = "<plan>") -> LoadedPlan:
    """Parse and validate one plan document; raise :class:`PlanError` listing every issue."""
    try:
        source = parse_yaml(text)
    except YamlSyntaxError as exc:
        raise PlanError(
            f"{file}: invalid YAML", [PlanIssue(file, exc.line, "", str(exc))]
        ) from None
    if not isinstance(source.data, dict):
        raise PlanError(
            f"{file}: invalid plan", [PlanIssue(file, 1, "", "a plan must be a mapping")]
        )
    issues: list[PlanIssue] = []
    try:
        plan = Plan.model_validate(source.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            path = _data_path(err["loc"], source.data)
            message = err["msg"]
            if err["type"] == "extra_forbidden":
                message = "unknown key"
            elif err["type"] == "union_tag_invalid":
                ctx = err.get("ctx") or {}
                message = f"unknown kind {ctx.get('tag')!r} (expected {ctx.get('expected_tags')})"
            issues.append(PlanIssue(file, source.line_of(path), format_path(path), message))
        for path, message in checks.check_raw(source.data):
            issues.append(PlanIssue(file, source.line_of(path), format_path(path), message))
        raise PlanError(f"{file}: invalid plan", _sorted(issues)) from None
    loaded = LoadedPlan(plan, text, file, source)
    for path, message in checks.check_plan(plan):
        issues.append(loaded.issue(path, message))
    if issues:
        raise PlanError(f"{file}: invalid plan", _sorted(issues))
    return loaded


def _sorted(issues: list[PlanIssue]) -> list[PlanIssue]:
    return sorted(issues, key=lambda i: (i.file, i.line, i.path, i.message))


def load_plan(path: str | FsPath) -> LoadedPlan:
    """Load one plan file."""
    file = FsPath(path)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise PlanError(f"{file}: cannot read plan: {exc.strerror}") from None
    return load_plan_text(text, str(file))


def load_plans(path: str | FsPath) -> list[LoadedPlan]:
    """Load a plan file, or every ``*.yaml``/``*.yml`` file of a folder (sorted by name).

    Issues of all files are collected and raised together.
    """
    root = FsPath(path)
    files = sorted([*root.glob("*.yaml"), *root.glob("*.yml")]) if root.is_dir() else [root]
    if not files:
        raise PlanError(f"{root}: no plan files (*.yaml) found")
    plans: list[LoadedPlan] = []
    issues: list[PlanIssue] = []
    for file in files:
        try:
            plans.append(load_plan(file))
        except PlanError as exc:
            if not exc.issues:
                raise
            issues.extend(exc.issues)
    ids = [p.plan.id for p in plans]
    for loaded in plans:
        if ids.count(loaded.plan.id) > 1:
            issues.append(loaded.issue(("id",), f"plan id {loaded.plan.id!r} is used twice"))
    if issues:
        raise PlanError(f"{root}: invalid plans", _sorted(issues))
    return plans


def parse_expression(loaded: LoadedPlan, path: Path, text: str) -> ir.Node:
    """Parse an expression of ``loaded`` at ``path`` or raise a located :class:`PlanError`."""
    try:
        return expr.parse(text)
    except expr.ExprError as exc:
        raise PlanError(
            f"{loaded.file}: invalid expression", [loaded.issue(path, str(exc))]
        ) from None
