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
from PySide6.QtWidgets import QComboBox, QWidget

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


def table_source(model: QAbstractItemModel, db_path: str | Path | None):
    """A function of a ``ui.jobs.Job`` giving (columns, rows) as ``model`` shows them, safe to run off the GUI
    thread: the model's own ``export_source`` (the ledger reads through its own connection; an in-memory list
    gives a snapshot), else the cells read here, on the GUI thread, from a model without one."""
    if hasattr(model, "export_source"):
        return model.export_source(db_path)
    columns, rows = model_table(model)
    return lambda _job: (columns, rows)


def export_model(parent: QWidget | None, model: QAbstractItemModel, title: str, db_path: str | Path | None, *,
                 target: str | Path | None = None):
    """Ask where to save (unless ``target`` is given), then write the list in the background (``ui.jobs``: a
    progress dialog that can cancel; a cancelled or failed export leaves no file and the old one as it was);
    the status bar says how many rows went where. Returns the running ``Job`` (``job.path`` is set to the file
    once written) or None when no file was chosen.

    The title gets the row count and today's date; a refusal (the file open in Excel, a full disk) is a Chinese
    warning. A 30,000-row ledger takes seconds: the window stays usable meanwhile."""
    from township_desk.printing import list_xlsx
    from township_desk.ui import jobs
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
    chosen = Path(chosen)
    read = table_source(model, db_path)

    def work(job: jobs.Job) -> int:
        job.progress(0, 0, "正在读取列表……")
        columns, rows = read(job)
        job.check()
        job.progress(0, 0, f"正在写入 {len(rows)} 行……")
        heading = f"{title}　共 {len(rows)} 行　{today.isoformat()} 导出"
        return list_xlsx.export_rows(columns, rows, heading, chosen, check_cancelled=job.check)

    def done(count: int) -> None:
        job.path = chosen
        window = parent.window() if parent is not None else None
        status_bar = getattr(window, "statusBar", None)
        if callable(status_bar):  # inside the main window: say where it went
            status_bar().showMessage(f"已导出 {count} 行到 {chosen}", 10000)

    job = jobs.run_job(parent, "导出到 Excel", work, on_done=done)
    job.path = None
    return job


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
