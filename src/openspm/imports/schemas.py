"""API shapes of imports."""

from __future__ import annotations

from ninja import Schema


class RowErrorOut(Schema):
    row: int | None
    column: str
    message: str


class ImportResultOut(Schema):
    entity: str
    dry_run: bool
    valid: bool
    written: bool
    total_rows: int
    created: int
    updated: int
    unchanged: int
    deleted: int
    errors: list[RowErrorOut]


class EntityOut(Schema):
    name: str
    label: str
    importable: bool
    columns: list[str]
    required_columns: list[str]
