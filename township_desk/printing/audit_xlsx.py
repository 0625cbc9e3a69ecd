"""The 操作日志 as an .xlsx workbook: the rows ``models.audit_log.readable_rows`` gives, every value a text cell."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from township_desk.models.audit_log import COLUMNS
from township_desk.models.files import atomic_path
from township_desk.printing.xlsx_util import put_text

WIDTHS = (20, 10, 12, 30, 16, 30, 30)


def write_audit_xlsx(rows: Iterable[list[str]], target: str | Path) -> int:
    """Write ``rows`` (in ``COLUMNS`` order) to ``target`` atomically under a frozen heading; returns the row count."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "操作日志"
    for c, title in enumerate(COLUMNS, start=1):
        put_text(ws.cell(row=1, column=c), title)
    ws.freeze_panes = "A2"
    r = 1
    for row in rows:
        r += 1
        for c, value in enumerate(row, start=1):
            put_text(ws.cell(row=r, column=c), value)
    for letter, width in zip("ABCDEFG", WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width
    with atomic_path(target) as tmp:
        wb.save(tmp)
    return r - 1
