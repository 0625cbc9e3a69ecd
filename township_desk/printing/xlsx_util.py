"""openpyxl helpers shared by the workbooks the program writes: safe text cells, borders, widths, print setup.

Every text cell goes through ``put_text`` so that a value typed as ``=1+1``, ``+86…``, ``-`` or ``@x`` stays text
and never becomes a formula in Excel or WPS (pitfalls.md #5: openpyxl makes any string starting with "=" a
formula unless the cell's ``data_type`` is set back to "s").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = Font(name="宋体", size=10)
BOLD = Font(name="宋体", size=10, bold=True)
TITLE_FONT = Font(name="宋体", size=16, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=False)
RIGHT = Alignment(horizontal="right", vertical="center")


def put_text(cell: Cell, value: Any) -> Cell:
    """Write ``value`` as a text cell (None → empty). Number format "@" marks the cell as text for Excel too."""
    if value is None or value == "":
        cell.value = None
        return cell
    cell.value = str(value)
    cell.data_type = "s"  # after the assignment: openpyxl has just guessed "f" for "=..." text
    cell.number_format = "@"
    return cell


def put_number(cell: Cell, value: int | float | None, number_format: str | None = None) -> Cell:
    """Write a number as a number (None → empty)."""
    cell.value = value
    if number_format:
        cell.number_format = number_format
    return cell


def put(cell: Cell, value: Any) -> Cell:
    """Numbers as numbers, everything else (dates included, as the ledger's YYYY-MM-DD) as text."""
    if isinstance(value, bool):
        return put_text(cell, "是" if value else "否")
    if isinstance(value, (int, float)):
        return put_number(cell, value)
    if isinstance(value, (dt.date, dt.datetime)):
        return put_text(cell, value.isoformat())
    return put_text(cell, value)


def style_range(ws: Worksheet, first_row: int, last_row: int, first_col: int, last_col: int, *,
                font: Font = FONT, alignment: Alignment | None = CENTER, border: Border | None = BORDER,
                fill: PatternFill | None = None) -> None:
    """Apply one look to a block of cells (borders on every cell, so merged blocks print framed)."""
    for row in ws.iter_rows(min_row=first_row, max_row=last_row, min_col=first_col, max_col=last_col):
        for cell in row:
            cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            if border is not None:
                cell.border = border
            if fill is not None:
                cell.fill = fill


def merge_text(ws: Worksheet, cell_range: str, value: Any, *, font: Font = BOLD,
               alignment: Alignment = CENTER) -> None:
    """Merge a range and put text in its top-left cell."""
    ws.merge_cells(cell_range)
    cell = ws[cell_range.split(":")[0]]
    put_text(cell, value)
    cell.font = font
    cell.alignment = alignment


def display_width(value: Any) -> int:
    """Width of a value in Excel character units: a Han character takes two."""
    text = "" if value is None else str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def fit_columns(ws: Worksheet, widths: Iterable[int], *, minimum: int = 4, maximum: int = 40) -> None:
    """Set each column's width from the widest value it holds (``widths`` in display units)."""
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(minimum, min(maximum, width + 2))


def print_setup(ws: Worksheet, title_rows: str, *, landscape: bool = True) -> None:
    """A4, landscape, one page wide (as many tall as needed), ``title_rows`` ("1:5") on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def write_table(ws: Worksheet, columns: list[tuple[str, str]], rows: Iterable[dict], *, title: str,
                start_row: int = 1, check_cancelled=None) -> int:
    """A simple sheet: a merged title, one header row, then one row per dict (keys of ``columns``).

    Returns the number of data rows. Header frozen, printed on every page, columns fitted.
    """
    n = len(columns)
    merge_text(ws, f"A{start_row}:{get_column_letter(n)}{start_row}", title, font=TITLE_FONT)
    ws.row_dimensions[start_row].height = 28
    header = start_row + 1
    widths = [display_width(label) for _, label in columns]
    for col, (_, label) in enumerate(columns, start=1):
        put_text(ws.cell(header, col), label)
    style_range(ws, header, header, 1, n, font=BOLD, fill=HEADER_FILL)
    count = 0
    for count, item in enumerate(rows, start=1):
        if check_cancelled and count % 2000 == 0:
            check_cancelled()
        r = header + count
        for col, (key, _) in enumerate(columns, start=1):
            value = item.get(key)
            cell = put(ws.cell(r, col), value)
            cell.border = BORDER
            cell.font = FONT
            w = display_width(value)
            if w > widths[col - 1]:
                widths[col - 1] = w
    fit_columns(ws, widths)
    ws.freeze_panes = ws.cell(header + 1, 1)
    print_setup(ws, f"{start_row}:{header}")
    return count
