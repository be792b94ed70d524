"""Reading uploaded spreadsheets: CSV (UTF-8, delimiter sniffed) and XLSX (openpyxl, read-only).

`inspect_table` reads the whole file once and refuses what cannot be imported with a message
that says why (`TableError`); `iter_rows` then streams the rows, so memory stays bounded
whatever the file's size. Row numbers count data rows: row 1 is the first row under the header.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings

CSV_DELIMITERS = ",;\t|"
SNIFF_BYTES = 64 * 1024
# An .xlsx is a zip of XML; these bound what it may expand to, so a zip bomb is refused
# before anything decompresses it.
XLSX_MAX_RATIO = 200


class TableError(Exception):
    """The file cannot be imported; `status` is 400 (bad file) or 413 (over a size limit)."""

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass
class Table:
    format: str
    header: list[str]
    row_count: int
    delimiter: str = ""
    preview: list[list[str]] = field(default_factory=list)


def detect_format(name: str, head: bytes) -> str:
    if head.startswith(b"PK\x03\x04") or name.lower().endswith((".xlsx", ".xlsm")):
        return "xlsx"
    return "csv"


def inspect_table(file, name: str, *, preview_rows: int = 20) -> Table:
    """Check the whole file (encoding, header, ragged rows, limits) and describe it."""
    size = _size(file)
    limit = settings.JOBS_IMPORT_MAX_BYTES
    if size > limit:
        raise TableError(
            f"The file is {_mb(size)}; an import accepts at most {_mb(limit)} "
            "(JOBS_IMPORT_MAX_BYTES). Split it into smaller files.",
            status=413,
        )
    if size == 0:
        raise TableError("The file is empty.")
    file.seek(0)
    fmt = detect_format(name, file.read(4))
    file.seek(0)
    rows = _rows(file, fmt)
    header_row = next(rows, None)
    if header_row is None:
        raise TableError("The file is empty.")
    number, header, delimiter = header_row
    header = _check_header(header)
    count = 0
    preview = []
    max_rows = settings.JOBS_IMPORT_MAX_ROWS
    for number, cells, _ in rows:
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise TableError(
                f"Row {number} has {len(cells)} cells but the header names {len(header)} "
                "columns. Every row must have the header's columns (a stray delimiter or an "
                "unquoted comma inside a value does this)."
            )
        count += 1
        if count > max_rows:
            raise TableError(
                f"The file has more than {max_rows:,} rows; an import accepts at most "
                f"{max_rows:,} (JOBS_IMPORT_MAX_ROWS). Split it into smaller files.",
                status=413,
            )
        if len(preview) < preview_rows:
            preview.append(_pad(cells, len(header)))
    if count == 0:
        raise TableError("The file has a header row but no data rows under it.")
    return Table(format=fmt, header=header, row_count=count, delimiter=delimiter, preview=preview)


def iter_rows(file, table: Table) -> Iterator[tuple[int, list[str], set[int]]]:
    """(row number, cells padded to the header, indexes of formula cells) per data row."""
    file.seek(0)
    rows = _rows(file, table.format, delimiter=table.delimiter or None)
    next(rows, None)
    width = len(table.header)
    for number, cells, formulas in rows:
        yield number, _pad(cells, width), formulas


# --- internals ----------------------------------------------------------------------------------


def _size(file) -> int:
    file.seek(0, io.SEEK_END)
    size = file.tell()
    file.seek(0)
    return size


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KB"


def _pad(cells: list[str], width: int) -> list[str]:
    return (cells + [""] * width)[:width]


def _check_header(cells: list[str]) -> list[str]:
    header = [c.strip() for c in cells]
    while header and not header[-1]:
        header.pop()
    if not header or not any(header):
        raise TableError("The first row is empty: it must name the columns (e.g. url, name, sku).")
    if any(h.lower().startswith(("http://", "https://", "www.")) for h in header):
        raise TableError(
            "The first row looks like data, not column names: add a header row naming the "
            "columns (e.g. url, name, sku)."
        )
    seen: dict[str, int] = {}
    for index, name in enumerate(header, 1):
        if not name:
            raise TableError(f"Column {index} of the header row has no name.")
        if name.lower() in seen:
            raise TableError(f"The header names the column “{name}” twice.")
        seen[name.lower()] = index
    return header


def _rows(file, fmt: str, *, delimiter: str | None = None):
    """(row number, cells, formula indexes) with the header as row 0, and for the header the
    delimiter instead of the formula set."""
    if fmt == "xlsx":
        yield from _xlsx_rows(file)
    else:
        yield from _csv_rows(file, delimiter)


def _csv_rows(file, delimiter: str | None):
    file.seek(0)
    sample = file.read(SNIFF_BYTES)
    file.seek(0)
    if b"\x00" in sample:
        raise TableError("This is not a CSV or XLSX file (it contains binary data).")
    text_sample = sample.decode("utf-8-sig", errors="ignore")
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text_sample, delimiters=CSV_DELIMITERS).delimiter
        except csv.Error:
            delimiter = ","
    # newline="": the csv module handles line ends itself (and newlines inside quotes).
    stream = io.TextIOWrapper(_binary(file), encoding="utf-8-sig", errors="strict", newline="")
    reader = csv.reader(stream, delimiter=delimiter)
    number = 0
    try:
        for cells in reader:
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue  # blank lines are not rows
            if number == 0:
                yield 0, cells, delimiter
            else:
                yield number, cells, {i for i, c in enumerate(cells) if c.startswith("=")}
            number += 1
    except UnicodeDecodeError as exc:
        raise TableError(
            f"The file is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} cannot be read). "
            "Save it as “CSV UTF-8” (Excel) or download it as CSV (Google Sheets) and upload "
            "it again."
        ) from None
    except csv.Error as exc:
        raise TableError(f"The CSV cannot be read: {exc}.") from None
    finally:
        stream.detach()  # the upload or storage file stays open for the caller


def _binary(file):
    # Django's File wraps the real file object; TextIOWrapper wants that one.
    inner = getattr(file, "file", file)
    return getattr(inner, "file", inner) if not hasattr(inner, "readable") else inner


def _xlsx_rows(file):
    try:
        archive = zipfile.ZipFile(file)
    except zipfile.BadZipFile:
        raise TableError("This file is not a spreadsheet: it is neither CSV nor XLSX.") from None
    infos = archive.infolist()
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise TableError("This zip file is not an Excel workbook (.xlsx).")
    expanded = sum(info.file_size for info in infos)
    limit = settings.JOBS_XLSX_MAX_EXPANDED_BYTES
    ratio = max((info.file_size / max(info.compress_size, 1) for info in infos), default=0)
    if expanded > limit or ratio > XLSX_MAX_RATIO:
        raise TableError(
            f"This workbook expands to {_mb(expanded)} of XML (compression {ratio:.0f}:1); "
            f"imports refuse more than {_mb(limit)} or {XLSX_MAX_RATIO}:1. Save it again from "
            "Excel or Google Sheets, or upload it as CSV."
        )
    import openpyxl  # imported here: CSV imports never pay for it

    file.seek(0)
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise TableError(f"This XLSX file cannot be read ({type(exc).__name__}).") from None
    try:
        sheet = workbook.worksheets[0]
        number = 0
        for values in sheet.iter_rows(values_only=True):
            cells = [_cell_text(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            if not any(cells):
                continue
            if number == 0:
                yield 0, cells, ""
            else:
                yield number, cells, {i for i, c in enumerate(cells) if c.startswith("=")}
            number += 1
    finally:
        workbook.close()


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value).strip()
