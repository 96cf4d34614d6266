"""Reading and writing CSV and XLSX files as tables of text.

CSV must be UTF-8 (a byte-order mark is fine) and comma- or semicolon-separated; XLSX is
read from its first sheet with openpyxl. Every cell becomes text, so the same widgets parse
both formats and no spreadsheet number reaches the database as a float.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import tablib
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.cell import WriteOnlyCell  # type: ignore[import-untyped]
from openpyxl.utils.exceptions import InvalidFileException  # type: ignore[import-untyped]

from openspm.core.errors import InvalidInput
from openspm.imports.results import RowError
from openspm.org.resources import cell_text

MAX_BYTES = 50 * 1024 * 1024
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"


class UnreadableFile(InvalidInput):
    """The file cannot be read as a table at all; `errors` says where and why."""

    def __init__(self, error: RowError) -> None:
        super().__init__(error.message, detail=[error])
        self.errors = [error]


@dataclass(frozen=True)
class Table:
    """A file's header and data rows as text; `row_numbers[i]` is row i's number in the file
    (the header is row 1). Entirely empty rows are dropped but keep their numbers."""

    headers: list[str]
    rows: list[list[str]]
    row_numbers: list[int]
    errors: tuple[RowError, ...] = ()

    def to_dataset(self, headers: list[str]) -> tablib.Dataset:
        return tablib.Dataset(*[tuple(row) for row in self.rows], headers=headers)


def read_table(*, content: bytes, filename: str) -> Table:
    """Decode an uploaded file; raise `UnreadableFile` naming the place of the problem."""
    if len(content) > MAX_BYTES:
        raise UnreadableFile(RowError(None, "", "The file is larger than 50 MB: split it."))
    if not content.strip():
        raise UnreadableFile(RowError(None, "", "The file is empty."))
    if content.startswith(_OLE_MAGIC):
        raise UnreadableFile(
            RowError(None, "", "This is an old Excel (.xls) file: save it as .xlsx or CSV UTF-8.")
        )
    if content.startswith(_ZIP_MAGIC):
        return _read_xlsx(content)
    if filename.lower().endswith(".xlsx"):
        raise UnreadableFile(RowError(None, "", "This is not a valid XLSX file."))
    return _read_csv(content)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line_start = content.rfind(b"\n", 0, exc.start) + 1
        row = content.count(b"\n", 0, exc.start) + 1
        column = ""
        if row > 1:
            header = next(csv.reader([content[: content.find(b"\n")].decode("utf-8", "replace")]))
            before = content[line_start : exc.start].decode("utf-8", "replace")
            index = len(next(csv.reader([before]), [""])) - 1
            column = header[index].strip() if 0 <= index < len(header) else ""
        raise UnreadableFile(
            RowError(
                row,
                column,
                f"The file is not UTF-8: byte 0x{content[exc.start]:02x} at offset "
                f"{exc.start} cannot be decoded. Save it as 'CSV UTF-8'.",
            )
        ) from None


def _read_csv(content: bytes) -> Table:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise UnreadableFile(RowError(None, "", f"The CSV cannot be parsed: {exc}.")) from None
    return _table(records)


def _read_xlsx(content: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise UnreadableFile(RowError(None, "", "This is not a valid XLSX file.")) from None
    try:
        sheet = workbook.worksheets[0]
        records = [[cell_text(v) for v in values] for values in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()
    return _table(records)


def _table(records: list[list[str]]) -> Table:
    if not records:
        raise UnreadableFile(RowError(None, "", "The file is empty."))
    headers = [h.strip() for h in records[0]]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    rows: list[list[str]] = []
    numbers: list[int] = []
    errors: list[RowError] = []
    for number, record in enumerate(records[1:], start=2):
        cells = [c.strip() if isinstance(c, str) else cell_text(c) for c in record]
        if not any(cells):
            continue
        if any(cells[width:]):
            last = max(i for i, c in enumerate(cells) if c) + 1
            errors.append(
                RowError(
                    number, "", f"This row has {last} cells but the header has {width} columns."
                )
            )
        rows.append((cells + [""] * width)[:width])
        numbers.append(number)
    return Table(headers=headers, rows=rows, row_numbers=numbers, errors=tuple(errors))


def write_table(dataset: tablib.Dataset, *, file_format: str) -> bytes:
    """A dataset as CSV (UTF-8 with a byte-order mark, for Excel) or XLSX (text cells)."""
    if file_format == "csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(dataset.headers)
        writer.writerows(dataset)
        return buffer.getvalue().encode("utf-8-sig")
    if file_format == "xlsx":
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("data")
        for values in [dataset.headers, *dataset]:
            sheet.append([_text_cell(sheet, value) for value in values])
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    raise InvalidInput(f"Unknown format {file_format!r}: use csv or xlsx.")


def _text_cell(sheet: object, value: object) -> WriteOnlyCell:
    cell = WriteOnlyCell(sheet, value="" if value is None else str(value))
    cell.data_type = "s"  # text, never a formula, even when it starts with '='
    return cell
