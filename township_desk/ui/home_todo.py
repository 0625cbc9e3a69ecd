"""今日待办 on the 首页: a few names from each list that needs the clerk today (``models.todo``), each opening the
elder's file (double-click or Enter), with the whole count and a 查看全部 link to the full list.

The lists are read in the background on their own connection, like the figures above them, so the 首页 paints at
once in a large township.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import db as dbm
from township_desk.models import todo
from township_desk.models.errors import UserError
from township_desk.ui import jobs

KEYS = ("overdue", "hazards", "assess")
ELDER_ROLE = Qt.ItemDataRole.UserRole
FULL_TEXT_ROLE = Qt.ItemDataRole.UserRole + 1


class TodoColumn(QFrame):
    """One list: its title and count, up to ``todo.DEFAULT_LIMIT`` names, 查看全部."""

    def __init__(self, panel: TodoPanel, key: str):
        super().__init__()
        self.panel = panel
        self.key = key
        self.todo: todo.TodoList | None = None
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        self.title.setStyleSheet("font-size: 14px; font-weight: bold")
        self.names = QListWidget()
        self.names.setToolTip("双击或按回车键打开老人档案")
        self.names.setFrameShape(QFrame.Shape.NoFrame)
        # room for the names of a full list without scrolling; never more
        self.names.setFixedHeight(self.names.fontMetrics().height() * (todo.DEFAULT_LIMIT + 1) + 12)
        self.names.itemActivated.connect(self._open_item)  # double-click, and Enter on the current name
        # a long hazard description is cut to the column (the tooltip has it whole) rather than scrolled sideways
        self.names.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.all_link = QLabel()
        self.all_link.setTextFormat(Qt.TextFormat.RichText)
        self.all_link.linkActivated.connect(lambda _link: self.open_all())
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.names)
        layout.addWidget(self.all_link)

    def show_list(self, items: todo.TodoList) -> None:
        self.todo = items
        self.title.setText(f"{items.title}　{items.count} 人" if items.key != "hazards" else
                           f"{items.title}　{items.count} 项")
        self.title.setStyleSheet("font-size: 14px; font-weight: bold; color: "
                                 + ("#2f855a" if items.count == 0 else "#c9302c" if items.key == "overdue"
                                    else "#b7791f"))
        self.names.clear()
        for entry in items.entries:
            item = QListWidgetItem()
            item.setData(FULL_TEXT_ROLE, f"{entry.name}（{entry.village}）　{entry.detail}")
            item.setData(ELDER_ROLE, entry.elder_id)
            item.setToolTip(f"{entry.name}：{entry.detail}（双击打开老人档案）")
            self.names.addItem(item)
        if not items.entries:
            empty = QListWidgetItem(items.none_text)
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.names.addItem(empty)
        self._fit()
        self.all_link.setText(f"<a href='all'>查看全部 {items.count} {'项' if items.key == 'hazards' else '人'} ›</a>"
                              if items.count else "")

    def names_shown(self) -> list[str]:
        """The lines in full (as the tooltips give them when a line is cut to the column)."""
        items = [self.names.item(n) for n in range(self.names.count())]
        return [item.data(FULL_TEXT_ROLE) or item.text() for item in items]

    def _fit(self) -> None:
        width = max(self.names.viewport().width() - 8, 80)
        metrics = self.names.fontMetrics()
        for n in range(self.names.count()):
            item = self.names.item(n)
            full = item.data(FULL_TEXT_ROLE)
            if full:
                item.setText(metrics.elidedText(full, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fit()

    def _open_item(self, item: QListWidgetItem) -> None:
        elder_id = item.data(ELDER_ROLE)
        if elder_id is not None:
            self.panel.open_elder(int(elder_id))

    def open_all(self) -> None:
        if self.todo is not None:
            self.panel.ctx.navigate(self.todo.page, **self.todo.filters)


class TodoPanel(QFrame):
    """今日待办: three lists side by side; ``refresh()`` reloads them (``loading`` while it does)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.loading = False
        self._number = 0
        heading = QLabel("今日待办")
        heading.setStyleSheet("font-size: 16px; font-weight: bold")
        self.state = QLabel()
        self.state.setStyleSheet("color: #777")
        self.columns: dict[str, TodoColumn] = {key: TodoColumn(self, key) for key in KEYS}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 8, 0, 0)
        grid.addWidget(heading, 0, 0)
        grid.addWidget(self.state, 0, 1, 1, 2, Qt.AlignmentFlag.AlignRight)
        for number, key in enumerate(KEYS):
            grid.addWidget(self.columns[key], 1, number)
            grid.setColumnStretch(number, 1)

    def mark_pending(self) -> None:
        """A refresh is coming (the 首页 starts it once its figures are in): ``loading`` until the lists are read."""
        self._number += 1  # whatever is still on its way is out of date
        self.loading = True
        self.state.setText("正在读取……")

    def refresh(self) -> None:
        today: dt.date = self.ctx.today()
        self._number += 1
        self.loading = True
        number, db_path = self._number, self.ctx.db_path

        def work(_job: jobs.Job) -> list[todo.TodoList]:
            db = dbm.connect(db_path, migrate=False)  # its own connection: one per thread
            try:
                return todo.todo_lists(db, today)
            finally:
                db.close()

        jobs.run_job(self, "今日待办", work, show_dialog=False,
                     on_done=lambda result: self._show(number, result),
                     on_error=lambda exc: self._show(number, exc))

    def show_result(self, number: int, result: object) -> None:
        """The lists read by the 首页 with its figures (``number``: ``_number`` after ``mark_pending``)."""
        self._show(number, result)

    def _show(self, number: int, result: object) -> None:
        if number != self._number:
            return  # a later refresh is on its way
        self.loading = False
        if isinstance(result, BaseException):
            self.state.setText("待办未能读出：" + (str(result) if isinstance(result, UserError) else "请查看错误记录"))
            if not isinstance(result, UserError):
                from township_desk.ui import crash

                crash.report(result, parent=self)
            return
        self.state.setText("双击姓名打开老人档案")
        for items in result:
            self.columns[items.key].show_list(items)

    def open_elder(self, elder_id: int) -> None:
        from township_desk.ui.elder_file import open_elder_file

        # what is recorded from the file is announced; the 首页 (and so this panel) refreshes from that
        open_elder_file(self.ctx, elder_id, self, today=self.ctx.today())
