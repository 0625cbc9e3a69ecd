"""openpyxl helpers shared by the workbooks the program writes: safe text cells, borders, widths, print setup.

Every text cell goes through ``put_text`` (or, for the bulk rows of a large sheet, ``_row_xml``, which writes
only inline strings) so that a value typed as ``=1+1``, ``+86…``, ``-`` or ``@x`` stays text and never becomes
a formula in Excel or WPS (pitfalls.md #5: openpyxl makes any string starting with "=" a formula unless the
cell's ``data_type`` is set back to "s").

Large sheets (the 明细表 of 30,000 elders) are too slow cell by cell in openpyxl (about 40 s: ~10 µs per
cell in ``ws.cell`` and styling, more at save). ``write_table(..., bulk=...)`` therefore writes the title and
header through openpyxl and keeps the data rows aside; ``save`` writes the workbook and then splices those
rows into the sheet's XML as plain ``<c>`` elements with the same two cell styles (text "@" / number).
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

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


_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # characters XML 1.0 cannot hold


def clean_text(value: Any) -> str:
    """The text of a value as a cell can hold it (control characters dropped, everything else as typed)."""
    return _ILLEGAL.sub("", str(value))


def put_text(cell: Cell, value: Any) -> Cell:
    """Write ``value`` as a text cell (None → empty). Number format "@" marks the cell as text for Excel too."""
    if value is None or value == "":
        cell.value = None
        return cell
    cell.value = clean_text(value)
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


# Printable width (points) of a landscape sheet with 0.4-inch side margins, and the smallest scale at which the
# 10-pt text stays legible on paper (8 pt).
PAPER_WIDTHS = ((9, 29.7), (8, 42.0))  # (openpyxl paperSize: A4 = 9, A3 = 8; landscape width in cm)
MIN_PRINT_SCALE = 0.8


def sheet_width_points(ws: Worksheet) -> float:
    """The printed width of the sheet's columns in points (Excel: a width of w characters is 7w + 5 pixels)."""
    total = 0.0
    for col in range(1, (ws.max_column or 1) + 1):
        dimension = ws.column_dimensions.get(get_column_letter(col))
        width = dimension.width if dimension is not None and dimension.width else 8.43
        total += (width * 7 + 5) * 0.75
    return total


def print_layout(width_points: float, margin_inches: float = 0.4) -> tuple[int, int, float]:
    """(paperSize, pages wide, scale) for a landscape print of a sheet ``width_points`` wide: A4 one page wide
    when that prints at ``MIN_PRINT_SCALE`` or more, else A3 one page wide, else A3 as many pages wide as keep
    the scale at least that (the county tapes them side by side; the title rows repeat on each)."""
    import math

    for paper, cm in PAPER_WIDTHS:
        printable = cm / 2.54 * 72 - 2 * margin_inches * 72
        scale = min(1.0, printable / width_points) if width_points else 1.0
        if scale >= MIN_PRINT_SCALE:
            return paper, 1, scale
    pages = math.ceil(width_points * MIN_PRINT_SCALE / printable)
    return PAPER_WIDTHS[-1][0], pages, min(1.0, pages * printable / width_points)


def print_setup(ws: Worksheet, title_rows: str, *, landscape: bool = True, one_page_wide: bool = False) -> None:
    """Landscape, fit to the width of the smallest paper (A4, else A3) that prints the sheet at 80 % or more
    (``print_layout``), as many pages tall as needed, ``title_rows`` ("1:5") on every page. Call it after the
    column widths are set. ``one_page_wide``: never more than one page wide (A3 at whatever scale it takes)."""
    paper, pages_wide, _scale = print_layout(sheet_width_points(ws)) if landscape else (ws.PAPERSIZE_A4, 1, 1.0)
    if one_page_wide:
        pages_wide = 1
    ws.page_setup.paperSize = paper
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = pages_wide
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6


@dataclass
class BulkRows:
    """Data rows kept aside for ``save`` to splice into a sheet (see the module docstring)."""

    ws: Worksheet
    first_row: int
    keys: list[str]
    rows: list[dict]
    text_style: int
    number_style: int
    column_styles: list[tuple[int, int]] | None = None  # per column (text, number), set by ``save``
    wrap_widths: list[float | None] | None = None  # per column: the width its text wraps in (None: no wrap)
    keep: frozenset[str] = frozenset()  # ``wrap_columns``' columns that do not wrap


def _styles(ws: Worksheet, alignment: Alignment | None = None) -> tuple[int, int]:
    """The workbook's style ids of a bordered text ("@") cell and a bordered number cell (with ``alignment``)."""
    text = Cell(ws)
    text.font, text.border, text.number_format = FONT, BORDER, "@"
    number = Cell(ws)
    number.font, number.border = FONT, BORDER
    if alignment is not None:
        text.alignment = number.alignment = alignment
    return text.style_id, number.style_id


WRAP = Alignment(vertical="center", wrap_text=True)


def wrap_columns(b: BulkRows, widths: dict[str, float], *, keep: Iterable[str] = ()) -> None:
    """Give a bulk sheet's columns these widths (by key; Excel character units) and wrap their text inside the
    column, except the ``keep`` columns (a note written in one of them runs on over the empty cells beside
    it). For a sheet printed one page wide: long values take more lines, never more paper."""
    b.keep = frozenset(keep)
    for index, key in enumerate(b.keys, start=1):
        if key in widths:
            b.ws.column_dimensions[get_column_letter(index)].width = widths[key]
    b.wrap_widths = [None if key in keep else widths.get(key) for key in b.keys]


LINE_POINTS = 13.5  # one line of 10-pt text in a row


def wrapped_lines(value: Any, width: float) -> int:
    """How many lines ``value`` takes wrapped in a column ``width`` characters wide (a Han character takes two;
    a little of the width is the cell's padding). Excel and WPS do not grow a row for wrapped text they load,
    nor does LibreOffice for rows written without a height: the row is given the height these lines need."""
    room = max(1.0, width - 0.3)  # a width of w holds w display units of 宋体 10 pt and a few pixels of padding
    return max(1, math.ceil(display_width(value) / room))


def write_table(ws: Worksheet, columns: list[tuple[str, str]], rows: Iterable[dict], *, title: str,
                start_row: int = 1, check_cancelled=None, bulk: list[BulkRows] | None = None) -> int:
    """A simple sheet: a merged title, one header row, then one row per dict (keys of ``columns``).

    Returns the number of data rows. Header frozen, printed on every page, columns fitted. With ``bulk``
    (a list ``save`` is given later) the data rows are kept for ``save`` to write fast.
    """
    n = len(columns)
    merge_text(ws, f"A{start_row}:{get_column_letter(n)}{start_row}", title, font=TITLE_FONT)
    ws.row_dimensions[start_row].height = 28
    header = start_row + 1
    widths = [display_width(label) for _, label in columns]
    for col, (_, label) in enumerate(columns, start=1):
        put_text(ws.cell(header, col), label)
    style_range(ws, header, header, 1, n, font=BOLD, fill=HEADER_FILL)
    rows = rows if isinstance(rows, list) else list(rows)
    keys = [key for key, _ in columns]
    if bulk is not None:
        bulk.append(BulkRows(ws, header + 1, keys, rows, *_styles(ws)))
        sample = rows[:3000]  # widths from a sample: a wide column is wide early on
        for col, key in enumerate(keys):
            widths[col] = max([widths[col], *(display_width(item.get(key)) for item in sample)])
    else:
        for count, item in enumerate(rows, start=1):
            if check_cancelled and count % 2000 == 0:
                check_cancelled()
            r = header + count
            for col, key in enumerate(keys, start=1):
                value = item.get(key)
                cell = put(ws.cell(r, col), value)
                cell.border = BORDER
                cell.font = FONT
                w = display_width(value)
                if w > widths[col - 1]:
                    widths[col - 1] = w
    fit_columns(ws, widths)
    ws.freeze_panes = f"A{header + 1}"  # a coordinate, not ws.cell(): that would create an empty cell
    print_setup(ws, f"{start_row}:{header}")
    return len(rows)


def _row_xml(r: int, letters: list[str], keys: list[str], item: dict, text_style: int, number_style: int,
             column_styles: list[tuple[int, int]] | None = None, wrap_widths: list[float | None] | None = None) -> str:
    """One data row as sheet XML: numbers as numbers, everything else an inline string (never a formula); with
    ``wrap_widths`` the row as high as its longest wrapped value needs."""
    cells = []
    lines = 1
    for index, (letter, key) in enumerate(zip(letters, keys, strict=True)):
        if column_styles is not None:
            text_style, number_style = column_styles[index]
        value = item.get(key)
        if wrap_widths is not None and wrap_widths[index] and value not in (None, ""):
            lines = max(lines, wrapped_lines(value, wrap_widths[index]))
        ref = f"{letter}{r}"
        if value is None or value == "":
            cells.append(f'<c r="{ref}" s="{text_style}"/>')
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            cells.append(f'<c r="{ref}" s="{number_style}"><v>{value!r}</v></c>')
        else:
            if isinstance(value, bool):
                value = "是" if value else "否"
            elif isinstance(value, (dt.date, dt.datetime)):
                value = value.isoformat()
            text = escape(clean_text(value))
            cells.append(f'<c r="{ref}" s="{text_style}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>')
    height = f' ht="{lines * LINE_POINTS + 1.5:g}" customHeight="1"' if lines > 1 else ""
    return f'<row r="{r}"{height}>{"".join(cells)}</row>'


def save(wb, path: str | Path, bulk: list[BulkRows] | None = None, check_cancelled=None) -> None:
    """Save ``wb`` to ``path`` with the bulk rows of ``write_table`` spliced into their sheets."""
    if not bulk:
        wb.save(path)
        return
    if any(b.wrap_widths is not None for b in bulk):
        _register_styles(wb, bulk)
    buffer = io.BytesIO()
    wb.save(buffer)
    by_part = {b.ws.path.lstrip("/"): b for b in bulk}
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source, \
            zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            b = by_part.get(info.filename)
            if b is not None:
                data = _splice(data.decode("utf-8"), b, check_cancelled).encode("utf-8")
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)


def _register_styles(wb, bulk: list[BulkRows]) -> None:
    """The cell styles of ``wrap_columns`` sheets, registered after every style the workbook's own cells use, in
    the order openpyxl's writer meets them (sheet by sheet, row by row): a sheet written before (the 汇总表) keeps
    the very style numbers it had, byte for byte."""
    for ws in wb.worksheets:
        for _key, cell in sorted(ws._cells.items()):
            _ = cell.style_id
    for b in bulk:
        if b.wrap_widths is not None:
            wrapped, plain = _styles(b.ws, WRAP), _styles(b.ws, Alignment(vertical="center"))
            b.column_styles = [plain if key in b.keep else wrapped for key in b.keys]


def _splice(xml: str, b: BulkRows, check_cancelled) -> str:
    letters = [get_column_letter(i) for i in range(1, len(b.keys) + 1)]
    parts = []
    for index, item in enumerate(b.rows):
        if check_cancelled and index % 5000 == 0:
            check_cancelled()
        parts.append(_row_xml(b.first_row + index, letters, b.keys, item, b.text_style, b.number_style,
                              b.column_styles, b.wrap_widths))
    last_row = b.first_row + len(b.rows) - 1
    written = [int(n) for n in re.findall(r'<row r="(\d+)"', xml)]
    if "</sheetData>" not in xml or (written and max(written) >= b.first_row):
        # rows must stay in ascending order, each once: openpyxl must not have written any data row itself
        raise RuntimeError(f"工作表 {b.ws.title} 的结构与预期不同，无法写入数据行")
    xml = xml.replace("</sheetData>", "".join(parts) + "</sheetData>", 1)
    if b.rows:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="A1:{letters[-1]}{last_row}"/>', xml, count=1)
    return xml
