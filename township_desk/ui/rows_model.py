"""A read-only, sortable table model over a list of dicts: for computed lists (overdue, workload, hazards).

Large stored tables (the ledger) use their own models that page through SQL instead.

The order shown is always the one the view's header says: the model keeps the column and direction it was last
sorted by and applies them to every new set of rows (a refresh never falls back to the query's order under an arrow
that says otherwise); sorting by no column (-1, no arrow) shows the rows in the order they were given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

# (the order now, what a click gives) in Excel's words
SORT_WORDS = {Qt.SortOrder.AscendingOrder: ("升序（小的、早的在前）", "降序"),
              Qt.SortOrder.DescendingOrder: ("降序（大的、晚的在前）", "升序")}


class RowsModel(QAbstractTableModel):
    """``columns`` is a list of (key, heading); ``color`` may return a text colour for a row; ``sort_keys`` maps
    a shown column to the key it sorts by (a text such as "逾期 12 天" sorts by its number)."""

    def __init__(self, columns: Sequence[tuple[str, str]], rows: Sequence[Any] = (),
                 color: Callable[[Any], str | None] | None = None, parent=None,
                 sort_keys: dict[str, str] | None = None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = list(rows)
        self._given: list[Any] = list(rows)    # the order the rows came in (no column sorted)
        self._sorted: tuple[int, Qt.SortOrder] | None = None
        self._color = color
        self._sort_keys = dict(sort_keys or {})

    def set_rows(self, rows: Sequence[Any]) -> None:
        """New rows, shown in the order last sorted by (or as given when no column is sorted)."""
        self.beginResetModel()
        self._given = list(rows)
        self.rows = self._ordered()
        self.endResetModel()

    def column_of(self, key: str) -> int:
        return [k for k, _h in self.columns].index(key)

    @property
    def sorted_by(self) -> tuple[int, Qt.SortOrder] | None:
        """(column, order) the rows are in, or None for the order they were given."""
        return self._sorted

    def row(self, index: int) -> Any:
        return self.rows[index]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.columns)

    @staticmethod
    def _value(row: Any, key: str) -> Any:
        return row.get(key) if isinstance(row, dict) else getattr(row, key, None)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        value = self._value(row, self.columns[index.column()][0])
        if role == Qt.ItemDataRole.DisplayRole:
            if value is None:
                return ""
            if isinstance(value, dt.date):
                return value.isoformat()
            if isinstance(value, float):
                return f"{value:.1f}"
            return str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, (int, float)):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and self._color:
            color = self._color(row)
            return QColor(color) if color else None
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return self.columns[section][1]
            return str(section + 1)
        if role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal:
            # the arrow's meaning in words (each style draws its own arrow)
            if self._sorted is not None and self._sorted[0] == section:
                now, click = SORT_WORDS[self._sorted[1]]
                return f"已按“{self.columns[section][1]}”{now}排列，再点一下改为{click}"
            return f"点击按“{self.columns[section][1]}”排列"
        return None

    def export_source(self, _db_path=None) -> Callable[[Any], tuple[list[tuple[str, str]], list[dict]]]:
        """For 导出到 Excel off the GUI thread: a function of a ``ui.jobs.Job`` giving the columns and the rows shown
        now (a snapshot, in the order shown) as the table shows them; numbers stay numbers."""
        columns, rows = list(self.columns), list(self.rows)

        def cell(value: Any) -> Any:
            if isinstance(value, bool) or value is None:
                return "" if value is None else str(value)
            if isinstance(value, int):
                return value
            if isinstance(value, float):
                return float(f"{value:.1f}")
            return value.isoformat() if isinstance(value, dt.date) else str(value)

        def read(job) -> tuple[list[tuple[str, str]], list[dict]]:
            shown = []
            for number, row in enumerate(rows):
                if number % 2000 == 0:
                    job.check()
                shown.append({key: cell(self._value(row, key)) for key, _heading in columns})
            return columns, shown

        return read

    def _sort_value(self, row: Any, column: int) -> Any:
        key = self.columns[column][0]
        value = self._value(row, self._sort_keys.get(key, key))
        return value.isoformat() if isinstance(value, dt.date) else value

    def _ordered(self) -> list[Any]:
        """The given rows in the remembered order: rows with a value in the column first, in the chosen direction;
        rows without one after them, as they were given (so "longest overdue first" never starts with the remote
        shortfalls, which have no days overdue)."""
        if self._sorted is None:
            return list(self._given)
        column, order = self._sorted
        descending = order == Qt.SortOrder.DescendingOrder
        filled = [r for r in self._given if self._sort_value(r, column) not in (None, "")]
        empty = [r for r in self._given if self._sort_value(r, column) in (None, "")]
        try:
            filled.sort(key=lambda r: self._sort_value(r, column), reverse=descending)
        except TypeError:  # mixed kinds in one column: compare as text
            filled.sort(key=lambda r: str(self._sort_value(r, column)), reverse=descending)
        return filled + empty

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Order the rows by ``column`` (ties keep the order given); -1 (or any column not shown) restores the
        order the rows were given. Remembered for the next ``set_rows``."""
        self.layoutAboutToBeChanged.emit()
        self._sorted = (column, order) if 0 <= column < len(self.columns) else None
        # the selection and the current row follow their rows (a persistent index holds a row number: left alone,
        # the highlight would stay on the same line and Enter would record a visit for another elder)
        persistent = self.persistentIndexList()
        held = [(index, self.rows[index.row()]) for index in persistent]
        self.rows = self._ordered()
        position = {id(row): number for number, row in enumerate(self.rows)}
        self.changePersistentIndexList(persistent, [self.index(position[id(row)], index.column())
                                                    for index, row in held])
        self.layoutChanged.emit()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, max(len(self.columns) - 1, 0))
