"""What an empty list says: over a list with no rows, one line telling the clerk why it is empty and what to do
next (台账为空：点击“导入台账”或“新增”…), instead of a blank white table.

``show_when_empty(view, text)`` puts the line over the view's viewport; ``text`` is a string or a function called
each time the list becomes empty, so the words can follow the filters (no elder at all, or none matching).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel


class EmptyState(QObject):
    """The line over one view; it follows the view's model (reset, rows added or removed) and the viewport's size."""

    def __init__(self, view: QAbstractItemView, text: str | Callable[[], str]):
        super().__init__(view)
        self.view = view
        self._text = text
        self.label = QLabel(view.viewport())
        self.label.setObjectName("empty_state")
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)  # the view keeps its menu
        self.label.setStyleSheet("color: #4a5568; font-size: 14px; background: transparent")
        view.viewport().installEventFilter(self)
        model = view.model()
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged):
            signal.connect(self.update)
        self.update()

    def text(self) -> str:
        return self._text() if callable(self._text) else self._text

    def is_shown(self) -> bool:
        return not self.label.isHidden()

    def update(self, *_args) -> None:
        empty = self.view.model().rowCount() == 0
        if empty:
            self.label.setText(self.text())
            self._place()
        self.label.setVisible(empty)

    def _place(self) -> None:
        area = self.view.viewport().rect().adjusted(24, 24, -24, -24)
        self.label.setGeometry(area.x(), area.y(), area.width(), max(min(area.height(), 120), 40))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Resize:
            self._place()
        return False


def show_when_empty(view: QAbstractItemView, text: str | Callable[[], str]) -> EmptyState:
    """Say ``text`` over ``view`` whenever its model has no rows; the ``EmptyState`` (kept as the view's child)."""
    state = EmptyState(view, text)
    view.empty_state = state  # the page's tests read what it says
    return state


NO_ONE_ON_LEDGER = "台账中还没有在册老人：请先在“台账”页点击“导入台账”或“新增”。"


def unless_ledger_empty(db, text: str) -> str:
    """``text``, or what to do first when nobody is 在册 (a list of elders to visit or assess is empty then)."""
    from township_desk.models import elders

    return text if elders.count_elders(db, elders.ElderQuery(status="在册")) else NO_ONE_ON_LEDGER
