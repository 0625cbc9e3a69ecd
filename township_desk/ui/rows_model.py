"""A read-only, sortable table model over a list of dicts: for computed lists (overdue, workload, hazards).

Large stored tables (the ledger) use their own models that page through SQL instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor


class RowsModel(QAbstractTableModel):
    """``columns`` is a list of (key, heading); ``color`` may return a text colour for a row."""

    def __init__(self, columns: Sequence[tuple[str, str]], rows: Sequence[Any] = (),
                 color: Callable[[Any], str | None] | None = None, parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.rows: list[Any] = list(rows)
        self._color = color

    def set_rows(self, rows: Sequence[Any]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

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

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Rows with a value in the column first, in the chosen order; rows without one after them, as they were
        (so "longest overdue first" never starts with the remote shortfalls, which have no days overdue)."""
        key = self.columns[column][0]
        descending = order == Qt.SortOrder.DescendingOrder

        def value_of(row: Any):
            value = self._value(row, key)
            return value.isoformat() if isinstance(value, dt.date) else value

        filled = [r for r in self.rows if value_of(r) not in (None, "")]
        empty = [r for r in self.rows if value_of(r) in (None, "")]
        self.layoutAboutToBeChanged.emit()
        # the selection and the current row follow their rows (a persistent index holds a row number: left alone,
        # the highlight would stay on the same line and Enter would record a visit for another elder)
        persistent = self.persistentIndexList()
        held = [(index, self.rows[index.row()]) for index in persistent]
        try:
            filled.sort(key=value_of, reverse=descending)
        except TypeError:  # mixed kinds in one column: compare as text
            filled.sort(key=lambda r: str(value_of(r)), reverse=descending)
        self.rows = filled + empty
        position = {id(row): number for number, row in enumerate(self.rows)}
        self.changePersistentIndexList(persistent, [self.index(position[id(row)], index.column())
                                                    for index, row in held])
        self.layoutChanged.emit()
