"""What an import reports: counts, and every problem with its place in the file."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RowError:
    """One problem: `row` as numbered in the file (the header is row 1; None for the whole
    file), the `column` name (empty when the problem is not one cell's), and a message."""

    row: int | None
    column: str
    message: str

    def as_text(self, filename: str) -> str:
        """`FILE:ROW: COLUMN: message`, as the command prints it."""
        where = filename if self.row is None else f"{filename}:{self.row}"
        return (
            f"{where}: {self.column}: {self.message}" if self.column else f"{where}: {self.message}"
        )


@dataclass
class ImportResult:
    """The outcome of an import or of its dry run; nothing was written unless `written`."""

    entity: str
    dry_run: bool
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ImportResult:
        fields = {k: v for k, v in data.items() if k not in ("valid", "errors")}
        errors = [RowError(**e) for e in data.get("errors", [])]  # type: ignore[attr-defined]
        return cls(**fields, errors=errors)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["valid"] = self.is_valid
        return data
