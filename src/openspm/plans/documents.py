"""Plan documents as the app sees them: validated by the engine, checked against their version."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date

from openspm.engine import PlanError, load_plan_text

_VERSION_LINE = re.compile(r"^version:[^\n]*$", re.MULTILINE)
_ID_LINE = re.compile(r"^id:[^\n]*$", re.MULTILINE)
_KIND_LINE = re.compile(r"^kind:[^\n]*$", re.MULTILINE)


@dataclass(frozen=True)
class DocumentIssue:
    """One problem in a plan document, at a line (1-based; 0 when it has no line)."""

    line: int
    path: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{where}{self.path + ': ' if self.path else ''}{self.message}"


def fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def check_document(
    text: str,
    *,
    code: str,
    number: int,
    effective_from: date | None = None,
    effective_to: date | None = None,
) -> list[DocumentIssue]:
    """Every problem in `text`: the engine's, then whether it belongs to this plan version."""
    try:
        loaded = load_plan_text(text, file=f"{code}.yaml")
    except PlanError as error:
        return [DocumentIssue(i.line or 0, i.path, i.message) for i in error.issues]
    plan = loaded.plan
    issues = []
    if plan.id != code:
        issues.append(DocumentIssue(_line_of(text, _ID_LINE), "id", f"must be {code!r}"))
    if plan.version != number:
        issues.append(DocumentIssue(_line_of(text, _VERSION_LINE), "version", f"must be {number}"))
    if plan.effective_from is not None and effective_from and plan.effective_from != effective_from:
        issues.append(DocumentIssue(0, "effective_from", f"must be {effective_from} or omitted"))
    if plan.effective_to is not None and plan.effective_to != effective_to:
        issues.append(DocumentIssue(0, "effective_to", f"must be {effective_to} or omitted"))
    if plan.kind != "commission":
        # referral plans are compiled from each referral program, never stored here
        issues.append(
            DocumentIssue(
                _line_of(text, _KIND_LINE),
                "kind",
                "must be 'commission': referral rewards are set on the referral program",
            )
        )
    return issues


def with_version(text: str, number: int) -> str:
    """The document with its top-level `version:` set to `number` (added after `id:` if absent)."""
    if _VERSION_LINE.search(text):
        return _VERSION_LINE.sub(f"version: {number}", text, count=1)
    match = _ID_LINE.search(text)
    if match is None:
        return f"version: {number}\n{text}"
    return text[: match.end()] + f"\nversion: {number}" + text[match.end() :]


def _line_of(text: str, pattern: re.Pattern[str]) -> int:
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else 0
