"""导出到 Excel for any list of the window: the rows a Qt table model shows, as they show them, with the filter in
the title (``printing.list_xlsx.export_rows`` writes the workbook).

A model that pages through SQL (the ledger) is read to its end first, so the workbook holds every row of the
filter, not only the ones scrolled to. A cell the list right-aligns (a count, an age, days overdue) goes to Excel
as a number when it reads as one; everything else, ID numbers included, as the text shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QComboBox, QMessageBox, QWidget

_NUMBER = re.compile(r"^-?\d{1,12}(\.\d+)?$")


def filter_title(name: str, parts: Iterable[str | QComboBox | None], *, everything: str = "全部") -> str:
    """The list's name with the filters that narrow it: ``台账（青山村，重点，在册）``. ``parts`` are texts or the
    filter boxes themselves; empty ones and ``everything`` (全部) are left out."""
    texts = []
    for part in parts:
        text = part.currentText() if isinstance(part, QComboBox) else (part or "")
        text = text.strip()
        if text and text != everything:
            texts.append(text)
    return f"{name}（{'，'.join(texts)}）" if texts else name


def model_table(model: QAbstractItemModel) -> tuple[list[tuple[str, str]], list[dict]]:
    """The columns (key, heading) and rows of ``model`` as shown (fetching every row a paging model holds)."""
    from PySide6.QtCore import QModelIndex

    top = QModelIndex()
    if hasattr(model, "fetch_all"):  # a model paging through SQL loads the rest in one query
        model.fetch_all()
    while model.canFetchMore(top):
        before = model.rowCount()
        model.fetchMore(top)
        if model.rowCount() == before:
            break
    columns = [(f"c{c}", str(model.headerData(c, Qt.Orientation.Horizontal) or "")) for c in range(model.columnCount())]
    right = int(Qt.AlignmentFlag.AlignRight)
    rows = []
    for r in range(model.rowCount()):
        row = {}
        for c, (key, _heading) in enumerate(columns):
            index = model.index(r, c)
            text = model.data(index, Qt.ItemDataRole.DisplayRole)
            text = "" if text is None else str(text)
            row[key] = text
            if _NUMBER.match(text):  # only then ask how it is aligned (most cells are not numbers)
                alignment = model.data(index, Qt.ItemDataRole.TextAlignmentRole)
                aligned = int(alignment.value if hasattr(alignment, "value") else alignment or 0)
                if aligned & right:
                    row[key] = float(text) if "." in text else int(text)
        rows.append(row)
    return columns, rows


def export_model(parent: QWidget | None, model: QAbstractItemModel, title: str, db_path: str | Path | None, *,
                 target: str | Path | None = None) -> Path | None:
    """Ask where to save (unless ``target`` is given), write the list, say how many rows went; the path or None.

    The title gets the row count and today's date; a refusal (the file open in Excel, a full disk) is a Chinese
    warning and nothing is written. A wait cursor shows while it works (a 30,000-row ledger takes seconds)."""
    from PySide6.QtWidgets import QApplication

    from township_desk.models.errors import UserError
    from township_desk.printing import list_xlsx
    from township_desk.ui.widgets import ask_save_file, checked_save_path

    today = dt.date.today()
    suggested = f"{title}_{today:%Y%m%d}.xlsx".replace("/", "_").replace("\\", "_")
    if target is None:
        chosen = ask_save_file(parent, "导出到 Excel", suggested, "Excel 工作簿 (*.xlsx)", db_path, ".xlsx",
                               kind="export")
    else:
        chosen = checked_save_path(parent, "导出到 Excel", target, db_path, ".xlsx")
    if chosen is None:
        return None
    try:
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            columns, rows = model_table(model)
            heading = f"{title}　共 {len(rows)} 行　{today.isoformat()} 导出"
            count = list_xlsx.export_rows(columns, rows, heading, chosen)
        finally:
            QApplication.restoreOverrideCursor()
    except UserError as exc:
        QMessageBox.warning(parent, "导出到 Excel", str(exc))
        return None
    status_bar = getattr(parent.window(), "statusBar", None) if parent is not None else None
    if callable(status_bar):  # inside the main window: say where it went
        status_bar().showMessage(f"已导出 {count} 行到 {chosen}", 10000)
    return chosen


def install_export_menu(view, db_path: str | Path | None, title) -> None:
    """A right-click menu with only 导出到 Excel, for a list that is not of elders (the visitors' workload).
    ``title`` is a function giving the list's title with its filters."""
    from PySide6.QtWidgets import QMenu

    def menu(pos) -> QMenu:
        found = QMenu(view)
        action = found.addAction("导出到 Excel…")
        action.setEnabled(view.model().rowCount() > 0)
        action.triggered.connect(lambda _checked=False: export_model(view.window(), view.model(), title(), db_path))
        return found

    view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
    view.customContextMenuRequested.connect(lambda pos: menu(pos).exec(view.viewport().mapToGlobal(pos)))
    view.export_menu = menu  # found by tests
