"""Statements of a call as CSV (UTF-8 with BOM, so that Excel shows umlauts) and as XLSX.

Cells that a spreadsheet would read as a formula (starting with =, +, -, @, tab or carriage
return) get a leading apostrophe, so a statement can never run a command in Excel.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from positions.core.clock import BERLIN
from positions.statements.statements import ExportRow

STATEMENT_COLUMNS = (
    "Nr.",
    "Mitglied",
    "Ansprechperson",
    "Status",
    "Verwendung",
    "Eingereicht",
    "Zuletzt geändert",
    "Punkte",
    "Text",
)
POINT_COLUMNS = ("Nr.", "Punkt", "Mitglied", "Verwendung", "Text")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The value, made inert for spreadsheets (CSV/formula injection)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _when(moment: datetime | date | None) -> str:
    """German local time to the minute, or only the day where the row carries only that."""
    if isinstance(moment, datetime):
        return moment.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M")
    return moment.strftime("%d.%m.%Y") if moment else ""


def _statement_cells(row: ExportRow) -> list[str]:
    return [
        str(row.number),
        row.organisation,
        row.contact,
        row.status,
        row.visibility,
        _when(row.submitted),
        _when(row.updated),
        str(len(row.points)),
        row.text,
    ]


def _point_cells(rows: Sequence[ExportRow]) -> list[list[str]]:
    return [
        [str(row.number), str(position), row.organisation, row.visibility, point]
        for row in rows
        for position, point in enumerate(row.points, start=1)
    ]


def statements_csv(rows: Sequence[ExportRow]) -> bytes:
    """One line per statement; semicolons, as German Excel expects them."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(STATEMENT_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in _statement_cells(row)])
    return buffer.getvalue().encode("utf-8-sig")


def statements_xlsx(rows: Sequence[ExportRow], *, title: str) -> bytes:
    """A workbook with the statements and, on a second sheet, their points."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Stellungnahmen"
    _fill(
        sheet,
        STATEMENT_COLUMNS,
        [_statement_cells(r) for r in rows],
        widths=(6, 34, 22, 13, 22, 17, 17, 8, 90),
    )
    points = workbook.create_sheet("Punkte")
    _fill(points, POINT_COLUMNS, _point_cells(rows), widths=(6, 7, 34, 22, 100))
    workbook.properties.title = title[:255]
    workbook.properties.creator = "Positionen"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fill(
    sheet: object, header: Sequence[str], rows: list[list[str]], widths: Sequence[int]
) -> None:
    from openpyxl.worksheet.worksheet import Worksheet

    assert isinstance(sheet, Worksheet)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1D5D9B")
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row_cells in sheet.iter_rows(min_row=2):
        for cell in row_cells:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
