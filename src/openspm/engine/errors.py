"""Engine errors: one root, each carrying located issues so callers can print them all."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PlanIssue:
    """One problem in a plan document, located by file, line and path."""

    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path or '<document>'}: {self.message}"


class EngineError(Exception):
    """Root of the engine's expected errors (bad plans, bad data, unsupported features)."""

    def __init__(self, message: str, issues: list[PlanIssue] | None = None) -> None:
        self.issues = list(issues or [])
        super().__init__(message)

    def __str__(self) -> str:
        head = self.args[0]
        if not self.issues:
            return str(head)
        return "\n".join([str(head), *(str(issue) for issue in self.issues)])


class PlanError(EngineError):
    """A plan document is invalid; ``issues`` lists every problem found."""


class DataError(EngineError):
    """An input table is missing, malformed or inconsistent (e.g. splits not summing to 100 %)."""


class NotSupported(EngineError):
    """A construct cannot be rendered for the requested SQL dialect."""
