"""Import and export of every entity: the one service behind the page, the command and the API.

An import reads the file as a table of text, checks its header, its required cells, the ids it
repeats and the checks that span rows (splits summing to 100), then validates every row with a
dry run of django-import-export. Every problem is collected with its row and column. Only a
file without a single problem is written, in one database transaction: a failure part-way
writes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from openspm.core.access import Viewer, require_edit
from openspm.core.errors import InvalidInput
from openspm.imports import files
from openspm.imports.entities import Entity, get_entity
from openspm.imports.files import Table
from openspm.imports.results import ImportResult, RowError
from openspm.org.resources import OpenSPMResource

#: (phase, rows done, rows in all); phase is "checking" or "writing".
Progress = Callable[[str, int, int], None]

REQUIRED = "A value is required."

# Django reports a violated CheckConstraint by name; say it in the file's terms instead.
_CONSTRAINTS: dict[str, tuple[str, str]] = {
    "person_termination_after_hire": ("terminated_on", "terminated_on must be after hired_on."),
    "membership_dates_ordered": ("effective_to", "effective_to must be after effective_from."),
    "reporting_line_dates_ordered": ("effective_to", "effective_to must be after effective_from."),
    "reporting_line_not_self": ("manager", "A person cannot report to themself."),
    "territory_member_dates_ordered": (
        "effective_to",
        "effective_to must be after effective_from.",
    ),
    "fx_rate_positive": ("rate", "The rate must be greater than 0."),
    "quota_not_negative": ("amount", "A quota cannot be negative."),
    "credit_split_percent_range": (
        "split_percent",
        "A split must be more than 0 and at most 100.",
    ),
}
_CONSTRAINT_NAME = re.compile(r"Constraint “([^”]+)” is violated")


class _RolledBack(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("import rolled back")
        self.errors = errors


def import_file(
    *,
    actor: Viewer,
    entity: str,
    content: bytes,
    filename: str,
    dry_run: bool,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a whole file and, unless `dry_run` or it has any error, write it atomically.

    Returns the counts of new, updated and unchanged rows (of the dry run when nothing was
    written) and every error found; raises only for who may import and what.
    """
    require_edit(actor)
    spec = get_entity(entity)
    if not spec.importable:
        raise InvalidInput(f"{spec.label} can be exported but not imported.")
    result = ImportResult(entity=spec.name, dry_run=dry_run)
    try:
        table = files.read_table(content=content, filename=filename)
    except files.UnreadableFile as exc:
        result.errors = exc.errors
        return result
    result.total_rows = len(table.rows)
    table, header_errors = _match_header(table, spec.resource)
    if header_errors:
        result.errors = header_errors
        return result

    found = [
        *table.errors,
        *_check_required_cells(table, spec.resource),
        *_check_duplicate_keys(table, spec.resource),
        *[error for check in spec.checks for error in check(table, actor)],
    ]
    reason = f"import {spec.name} from {filename}"[:100]
    dataset = table.to_dataset(table.headers)
    checked = _run(spec, dataset, actor=actor, reason=reason, write=False, progress=progress)
    _count(result, checked)
    result.errors = _merge(table, found, _row_errors(checked, table, spec.resource))
    if result.errors or dry_run:
        return result
    try:
        with transaction.atomic():
            written = _run(spec, dataset, actor=actor, reason=reason, write=True, progress=progress)
            errors = _row_errors(written, table, spec.resource)
            if errors:
                raise _RolledBack(errors)
    except _RolledBack as exc:
        result.errors = _merge(table, [], exc.errors)
        return result
    _count(result, written)
    result.written = True
    return result


def count_rows(*, content: bytes, filename: str) -> int:
    """The number of data rows in a file (0 when it cannot be read)."""
    try:
        return len(files.read_table(content=content, filename=filename).rows)
    except files.UnreadableFile:
        return 0


@dataclass(frozen=True)
class ExportFile:
    content: bytes
    filename: str
    content_type: str


def export_file(*, viewer: Viewer, entity: str, file_format: str) -> ExportFile:
    """Every row of `entity` the viewer may see, in exactly the format its import reads."""
    spec = get_entity(entity)
    if file_format not in files.FORMATS:
        raise InvalidInput(f"Unknown format {file_format!r}: use csv or xlsx.")
    dataset = spec.resource().export(queryset=spec.export_rows(viewer=viewer))
    return ExportFile(
        content=files.write_table(dataset, file_format=file_format),
        filename=f"{spec.name}.{file_format}",
        content_type=files.CONTENT_TYPES[file_format],
    )


def _normal(header: str) -> str:
    return header.strip().lower().replace(" ", "_")


def _match_header(table: Table, resource: type[OpenSPMResource]) -> tuple[Table, list[RowError]]:
    """Map the file's header onto the resource's columns (case and spaces do not matter)."""
    columns = resource.columns()
    errors: list[RowError] = []
    headers: list[str] = []
    for index, raw in enumerate(table.headers, start=1):
        name = _normal(raw)
        if not name:
            errors.append(RowError(1, "", f"Column {index} has no name."))
        elif name not in columns:
            errors.append(
                RowError(1, raw, f"Unknown column; the columns are: {', '.join(columns)}.")
            )
        elif name in headers:
            errors.append(RowError(1, name, "This column appears more than once."))
        headers.append(name)
    for name in resource.required_columns:
        if name not in headers:
            errors.append(RowError(1, name, "This required column is missing."))
    return Table(headers, table.rows, table.row_numbers, table.errors), errors


def _check_required_cells(table: Table, resource: type[OpenSPMResource]) -> list[RowError]:
    indexes = [(table.headers.index(c), c) for c in resource.required_columns]
    return [
        RowError(number, column, REQUIRED)
        for number, row in zip(table.row_numbers, table.rows, strict=True)
        for index, column in indexes
        if not row[index]
    ]


def _check_duplicate_keys(table: Table, resource: type[OpenSPMResource]) -> list[RowError]:
    """A row may appear once: two rows with the same key would silently overwrite each other."""
    keys = list(resource._meta.import_id_fields)
    fields = resource().fields
    indexes = [table.headers.index(k) for k in keys]
    upper = [getattr(fields[k].widget, "upper", False) for k in keys]
    seen: dict[tuple[str, ...], int] = {}
    errors = []
    for number, row in zip(table.row_numbers, table.rows, strict=True):
        key = tuple(row[i].upper() if up else row[i] for i, up in zip(indexes, upper, strict=True))
        if not all(key):
            continue
        if key in seen:
            what = ", ".join(f"{k} {v!r}" for k, v in zip(keys, key, strict=True))
            errors.append(
                RowError(
                    number,
                    keys[0],
                    f"Duplicate: {what} is already on row {seen[key]} of this file.",
                )
            )
        else:
            seen[key] = number
    return errors


def _run(
    spec: Entity,
    dataset: Any,
    *,
    actor: Viewer,
    reason: str,
    write: bool,
    progress: Progress | None,
) -> Any:
    resource = spec.resource()
    if progress is not None:
        phase, total = ("writing" if write else "checking"), len(dataset)
        resource.on_row = lambda done: progress(phase, done, total)
    return resource.import_data(
        dataset,
        dry_run=not write,
        use_transactions=True,
        raise_errors=False,
        actor=actor,
        change_reason=reason,
    )


def _count(result: ImportResult, outcome: Any) -> None:
    result.created = outcome.totals["new"]
    result.updated = outcome.totals["update"]
    result.unchanged = outcome.totals["skip"]
    result.deleted = outcome.totals["delete"]


def _row_errors(outcome: Any, table: Table, resource: type[OpenSPMResource]) -> list[RowError]:
    """django-import-export's findings as (file row, column, message)."""
    column_of = {f.attribute: f.column_name for f in resource().get_import_fields()}
    errors: list[RowError] = []
    for error in outcome.base_errors:
        errors.append(RowError(None, "", str(error.error)))
    for invalid in outcome.invalid_rows:
        number = table.row_numbers[invalid.number - 1]
        for key, messages in invalid.error_dict.items():
            for message in messages:
                column, text = column_of.get(key, ""), str(message)
                named = _CONSTRAINT_NAME.search(text)
                if named and named.group(1) in _CONSTRAINTS:
                    column, text = _CONSTRAINTS[named.group(1)]
                errors.append(RowError(number, column, text))
    for failed in outcome.error_rows:
        number = table.row_numbers[failed.number - 1]
        for error in failed.errors:
            errors.append(RowError(number, "", str(error.error)))
    return errors


def _merge(table: Table, first: list[RowError], then: list[RowError]) -> list[RowError]:
    """All errors in file order. A cell already reported by the pre-checks is not repeated,
    nor is a database error on a row they reported (a duplicate key fails to insert)."""
    taken = {(e.row, e.column) for e in first} | {(e.row, "") for e in first}
    merged = [*first, *(e for e in then if (e.row, e.column) not in taken)]
    order = {name: i for i, name in enumerate(table.headers)}
    unique = list(dict.fromkeys(merged))
    return sorted(unique, key=lambda e: (e.row or 0, order.get(e.column, -1)))
