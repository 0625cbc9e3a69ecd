"""The small widgets every page and dialog builds the same way: a date field, a read-only list, the row chosen in
it, and the 保存/取消 (确定/取消) buttons under a dialog.

One version of each, so that a date is typed, a list sorted and a dialog closed alike on every page, and a change
to how they look is one edit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHeaderView,
    QMessageBox,
    QScrollArea,
    QTableView,
    QWidget,
)

DATE_FORMAT = "yyyy-MM-dd"  # as the ledger stores and prints dates
CONTENTS_PRECISION = 100    # rows a list measures to size its columns


def qdate(day: dt.date | str | QDate | None = None) -> QDate:
    """``day`` as a QDate: a date, its ISO text (``"2026-11-22"``) or a QDate as it is; None is the clock's today.

    An ISO text that is not a date raises ``ValueError`` (a programming error: stored dates are ISO).
    """
    if isinstance(day, QDate):
        return QDate(day)
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    day = day or dt.date.today()
    return QDate(day.year, day.month, day.day)


def pydate(value: QDate) -> dt.date:
    """The date a QDate (a date field's ``date()``) shows."""
    return dt.date(value.year(), value.month(), value.day())


def date_edit(day: dt.date | str | QDate | None = None, *, latest: dt.date | str | QDate | None = None,
              earliest: dt.date | str | QDate | None = None) -> QDateEdit:
    """A date field showing ``day`` (None: the clock's today) as yyyy-MM-dd, with the calendar popup.

    ``latest`` / ``earliest`` bound what can be chosen (a visit is recorded after it took place: ``latest`` is the
    office's today); a ``day`` outside them shows the nearest bound. Without them the field still keeps to the
    dates the program can work with (``models.dates.EARLIEST``–``LATEST``).
    """
    edit = QDateEdit(qdate(day))
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(DATE_FORMAT)
    keep_to_working_dates(edit)
    if latest is not None:
        edit.setMaximumDate(qdate(latest))
    if earliest is not None:
        edit.setMinimumDate(qdate(earliest))
    return edit


def keep_to_working_dates(edit: QDateEdit) -> QDateEdit:
    """Bound a date field to the dates the program can work with (1901–2099): date arithmetic on 0001-01-01 or
    9999-12-31 would overflow."""
    from township_desk.models import dates

    edit.setDateRange(qdate(dates.EARLIEST), qdate(dates.LATEST))
    return edit


def table_view(model, *, stretch_column: int | None = None, sortable: bool = True,
               selection_mode: QAbstractItemView.SelectionMode = QAbstractItemView.SelectionMode.SingleSelection,
               sort_by: tuple[int, Qt.SortOrder] | None = None) -> QTableView:
    """A read-only list over ``model``: whole rows selected (one at a time unless ``selection_mode`` says
    otherwise), columns as wide as their contents, alternating row colours, no row numbers.

    ``sortable``: a click on a heading sorts by that column (the model sorts itself, e.g. ``RowsModel``), a second
    click reverses it. The arrow only ever shows the order the rows are in: ``sort_by`` (column, order) sorts the
    list that way from the start; without it the rows keep the order the model was given and no arrow shows until
    the clerk clicks a heading (Qt would otherwise show an arrow on the first column that no sort produced).
    ``stretch_column`` (a text column) takes the spare width; without it the last column does.
    """
    view = QTableView()
    view.setModel(model)
    if sortable:
        view.setSortingEnabled(True)
        column, order = sort_by if sort_by is not None else (-1, Qt.SortOrder.AscendingOrder)
        view.sortByColumn(column, order)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(selection_mode)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    # widths from the first rows, not all of them: measuring every cell of a 27,000-row list (本月未上门 on the
    # 1st of the month) for every role on every change took seconds
    header.setResizeContentsPrecision(CONTENTS_PRECISION)
    if stretch_column is None:
        header.setStretchLastSection(True)
    else:
        header.setSectionResizeMode(stretch_column, QHeaderView.ResizeMode.Stretch)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    return view


def selected_row(view: QTableView) -> Any | None:
    """The row the clerk has chosen in ``view`` as its model's ``row(n)`` returns it (a ``RowsModel`` dict), or None
    when no row is selected.

    The current row when it is selected (the one a keyboard user moved to); otherwise the first selected row.
    """
    selection = view.selectionModel()
    if selection is None:
        return None
    index = view.currentIndex()
    if index.isValid() and selection.isRowSelected(index.row(), index.parent()):
        return view.model().row(index.row())
    rows = selection.selectedRows()
    return view.model().row(rows[0].row()) if rows else None


def _button_box(dialog: QDialog, accept: QDialogButtonBox.StandardButton, accept_text: str,
                on_accept: Callable[[], Any], cancel_text: str) -> QDialogButtonBox:
    buttons = QDialogButtonBox(accept | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.button(accept).setText(accept_text)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(dialog.reject)
    return buttons


def save_cancel_buttons(dialog: QDialog, on_save: Callable[[], Any], *, save_text: str = "保存",
                        cancel_text: str = "取消") -> QDialogButtonBox:
    """The 保存 / 取消 buttons of an editing dialog: 保存 (the Save button, also Enter) calls ``on_save``, which
    closes the dialog itself when the record is saved; 取消 (also Esc) rejects the dialog.

    The caller adds the box to its layout; ``box.button(QDialogButtonBox.StandardButton.Save)`` is 保存.
    """
    return _button_box(dialog, QDialogButtonBox.StandardButton.Save, save_text, on_save, cancel_text)


def ok_cancel_buttons(dialog: QDialog, on_ok: Callable[[], Any] | None = None, *, ok_text: str = "确定",
                      cancel_text: str = "取消") -> QDialogButtonBox:
    """The 确定 / 取消 buttons of a dialog that asks for something: 确定 (the Ok button) calls ``on_ok``, by default
    the dialog's ``accept``; 取消 rejects the dialog.

    The caller adds the box to its layout; ``box.button(QDialogButtonBox.StandardButton.Ok)`` is 确定.
    """
    return _button_box(dialog, QDialogButtonBox.StandardButton.Ok, ok_text, on_ok or dialog.accept, cancel_text)


def refill_choices(combo: QComboBox, items: Iterable[tuple[str, Any]], all_label: str = "全部") -> None:
    """Refill a filter list with ``all_label`` (data None) and ``items`` (label, data) as they are now — 设置 may
    have added some — keeping the choice the clerk had made (by its data), without announcing the refill."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(all_label, None)
    for label, data in items:
        combo.addItem(label, data)
    combo.setCurrentIndex(max(combo.findData(current), 0) if current is not None else 0)
    combo.blockSignals(False)


class GroupFilter(QComboBox):
    """The 对象类别 filter of every list that can be narrowed to one 巡访对象类别: 全部, then each group of
    ``models.groups.GROUPS`` (农村留守, 城市独居, 特殊困难 …). ``group()`` is the chosen group's name, None for 全部;
    who belongs is always ``models.groups``' answer (``filter_sql``, ``members``), never worked out here."""

    LABEL = "对象类别"

    def __init__(self, parent: QWidget | None = None):
        from township_desk.models import groups

        super().__init__(parent)
        self.addItem("全部", None)
        for name in groups.GROUPS:
            self.addItem(name, name)
        self.setToolTip("巡访对象类别：农村留守、城市独居、特殊困难，以及独居、空巢、失能、重残；一位老人可属于几类")
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

    def group(self) -> str | None:
        return self.currentData()

    def set_group(self, group: str | None) -> None:
        """Choose ``group`` (None or an unknown name: 全部)."""
        self.setCurrentIndex(max(self.findData(group), 0) if group else 0)


def size_for_screen(widget: QWidget, width: int, height: int, margin: int = 60) -> None:
    """Resize ``widget`` to ``width`` × ``height``, or less where the screen is smaller (a 1366×768 office laptop),
    so a dialog's buttons are never below the bottom of the screen."""
    from PySide6.QtGui import QGuiApplication

    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width() - margin), min(height, room.height() - margin)
    widget.resize(width, height)


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless vertical scroll area: a long form that still fits a small screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area


def checked_save_path(parent: QWidget | None, title: str, chosen: str | Path, db_path: str | Path | None,
                      suffix: str | None = None) -> Path | None:
    """The file the clerk chose to save to (``suffix`` such as ".docx" added when missing), if it may be written:
    never the open database, a file SQLite keeps beside it, or a folder (``models.files.check_output_path``).
    Otherwise a Chinese warning and None, and nothing is written."""
    from township_desk.models.errors import UserError
    from township_desk.models.files import check_output_path

    text = str(chosen)
    if suffix and not text.lower().endswith(suffix.lower()):
        text += suffix
    try:
        return check_output_path(text, db_path)
    except UserError as exc:
        QMessageBox.warning(parent, title, str(exc))
        return None


def ask_save_file(parent: QWidget | None, title: str, suggested: str | Path, name_filter: str,
                  db_path: str | Path | None, suffix: str | None = None, *, kind: str = "save") -> Path | None:
    """Every save dialog of the window: opens in the folder last used for ``kind`` (else 文档/桌面) with the
    suggested file name, then ``checked_save_path``; remembers the folder. None when cancelled or refused."""
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, start_path(kind, Path(str(suggested)).name),
                                                  name_filter)
    if not chosen:
        return None
    checked = checked_save_path(parent, title, chosen, db_path, suffix)
    if checked is not None:
        remember_folder(kind, checked)
    return checked


# ------------------------------------------------------------------------------------------ files and folders

def _dialog_store():
    """Where the folders last chosen in file dialogs are kept: a small ini file in the data folder (per user, and
    never the tests' own home)."""
    from PySide6.QtCore import QSettings

    from township_desk.models import paths

    return QSettings(str(paths.data_dir() / "dialogs.ini"), QSettings.Format.IniFormat)


def default_folder() -> Path:
    """文档 (the clerk's Documents folder), else 桌面, else the home folder: where a first file dialog opens."""
    from PySide6.QtCore import QStandardPaths

    for location in (QStandardPaths.StandardLocation.DocumentsLocation,
                     QStandardPaths.StandardLocation.DesktopLocation):
        folder = QStandardPaths.writableLocation(location)
        if folder and Path(folder).is_dir():
            return Path(folder)
    return Path.home()


def start_folder(kind: str) -> Path:
    """The folder a file dialog for ``kind`` (``"print"``, ``"export"``, ``"import"``, ``"photos"`` …) opens in:
    the one last chosen for that kind while it still exists (a USB stick may be gone), else ``default_folder()``."""
    last = _dialog_store().value(f"folders/{kind}", "", type=str)
    if last and Path(last).is_dir():
        return Path(last)
    return default_folder()


def start_path(kind: str, file_name: str = "") -> str:
    """``start_folder(kind)`` with a suggested file name, as a save dialog's ``dir`` argument (always absolute)."""
    folder = start_folder(kind)
    return str(folder / file_name) if file_name else str(folder)


def remember_folder(kind: str, chosen: str | Path) -> None:
    """Remember the folder of ``chosen`` (a file or folder the clerk picked) for the next ``kind`` dialog."""
    if not chosen:
        return
    chosen = Path(chosen)
    folder = chosen if chosen.is_dir() else chosen.parent
    store = _dialog_store()
    store.setValue(f"folders/{kind}", str(folder))
    store.sync()


def print_in_system(parent: QWidget | None, path: str | Path, *, title: str = "打印") -> bool:
    """Print a file on the default printer with the program the computer uses for it (Windows' print verb,
    ``convert.print_with_system``). Elsewhere there is no such verb: the file is opened (``open_in_system``) for the
    clerk to print from Word/WPS. A Chinese message when it cannot be done; returns whether it was sent/opened."""
    from PySide6.QtWidgets import QMessageBox

    from township_desk.models.errors import UserError
    from township_desk.printing import convert

    if not convert.WINDOWS:
        return open_in_system(parent, path, title=title)
    try:
        convert.print_with_system(path)
    except UserError as exc:
        QMessageBox.warning(parent, title, str(exc))
        return False
    return True


def open_in_system(parent: QWidget | None, path: str | Path, *, title: str = "打开") -> bool:
    """Open a file or folder with the program the computer uses for it (Word/WPS, a PDF reader, Explorer).

    When there is none (Windows' ``os.startfile`` raises ``OSError``; elsewhere Qt's ``openUrl`` refuses) the
    clerk reads a Chinese message saying what to install and where the file is; returns whether it opened.
    """
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices
    from PySide6.QtWidgets import QMessageBox

    from township_desk.models.errors import UserError
    from township_desk.printing import convert

    try:
        if convert.WINDOWS or not Path(path).exists():
            convert.open_with_system(path)  # os.startfile; a missing file is said the same way everywhere
        elif not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            raise UserError(convert.no_program_message(path))
    except UserError as exc:
        QMessageBox.warning(parent, title, str(exc))
        return False
    return True
