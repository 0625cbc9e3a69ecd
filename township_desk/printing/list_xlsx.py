"""Any list of the window as an Excel workbook: the rows shown, under a title that names the filter.

One sheet, a merged title row (e.g. "台账（青山村，重点，在册）共 12 人"), one header row, the rows. Written through
``xlsx_util`` (every text cell a text cell: an ID number stays 18 digits, a note typed as ``=1+1`` stays text)
and saved atomically (``files.atomic_path``): a failed export leaves the file the clerk had.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from township_desk.models.errors import UserError
from township_desk.models.files import atomic_path

SHEET_TITLE_MAX = 31  # Excel's limit on a sheet name
_NOT_IN_SHEET_NAMES = str.maketrans({c: "_" for c in "[]:*?/\\"})


def export_rows(columns: Sequence[tuple[str, str]], rows: Iterable[dict[str, Any]], title: str,
                target: str | Path, *, check_cancelled: Callable[[], None] | None = None) -> int:
    """Write ``rows`` (dicts keyed by the first item of each of ``columns``; the second is the heading) under
    ``title`` to the workbook ``target``. Numbers stay numbers; everything else is text. Returns the row count.
    ``check_cancelled`` is called now and then while writing; what it raises leaves ``target`` as it was."""
    from openpyxl import Workbook

    from township_desk.printing import xlsx_util

    if not columns:
        raise UserError("这个列表没有可导出的列")
    wb = Workbook()
    ws = wb.active
    ws.title = (title.split("（")[0].split(" ")[0] or "列表").translate(_NOT_IN_SHEET_NAMES)[:SHEET_TITLE_MAX]
    bulk: list = []
    count = xlsx_util.write_table(ws, list(columns), list(rows), title=title, bulk=bulk)
    with atomic_path(target) as tmp:
        xlsx_util.save(wb, tmp, bulk, check_cancelled=check_cancelled)
    return count
