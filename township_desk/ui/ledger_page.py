"""台账: the ledger of elders — one search box (name, pinyin initials, ID digits), filters, a table that pages
through SQL, and 新增 / 修改 / 状态变更… / 导入台账.

Every filter and the sort run in SQL (``models.elders.list_elders``); the table model fetches ``PAGE`` rows at
a time as the clerk scrolls (``canFetchMore``/``fetchMore``), so a ledger of 30,000 stays as quick as one of 300.

Filters from elsewhere: ``apply_filters({"search": ..., "village": ..., "tier": ..., "status": ..., "flags": [...],
"elder_id": ...})`` (``ctx.navigate("台账", status="在册", tier="重点")``, ``ctx.navigate("台账", search=id_number)``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QEvent, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, group_plans, villages
from township_desk.models.dates import age_on
from township_desk.ui.widgets import GroupFilter, refill_choices

ALL = "全部"
UNASSIGNED = "未指定"  # an elder with no 巡访责任人 yet: said, not left blank
DEFAULT_STATUS = "在册"
SEARCH_PLACEHOLDER = "姓名、拼音首字母或身份证号码"
LEDGER_EMPTY = "台账为空：点击下方“导入台账”导入 Excel 台账，或点击“新增”逐人登记。"
LEDGER_NO_MATCH = "没有符合条件的老人：请检查查找内容，或把村（社区）、巡访类别、状态改为“全部”、取消勾选的条件。"
SEARCH_DELAY_MS = 150
PAGE = 200
# How far ``select_elder`` pages down looking for someone before it narrows the list to them instead.
FIND_LIMIT = 10 * PAGE

# (key in list_elders' rows and SORT_COLUMNS, heading)
COLUMNS: list[tuple[str, str]] = [
    ("name", "姓名"), ("sex", "性别"), ("age", "年龄"), ("id_number", "身份证号码"), ("village", "村（社区）"),
    ("group_name", "组"), ("phone", "联系电话"), ("tier", "巡访类别"), ("risk_grade", "风险等级"),
    ("visitor", "巡访责任人"), ("last_home_visit", "最近上门巡访"), ("status", "状态"),
]
_KEYS = [key for key, _heading in COLUMNS]
_OFF_LEDGER = QColor("#888888")  # status other than 在册
_HIGH_RISK = QColor("#c62828")
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_COUNT_EVENT = QEvent.Type(QEvent.registerEventType())
_AFTER_PAINTING = int(Qt.EventPriority.LowEventPriority.value) - 1  # widgets' update requests are posted at Low


def shown_text(row: dict, key: str) -> str:
    """A ledger cell as the table shows it (and the Excel export writes it)."""
    value = row.get(key)
    if key == "risk_grade" and not value:
        return "未评估"
    if key == "visitor" and not value:
        return UNASSIGNED
    return "" if value is None else str(value)


class LedgerModel(QAbstractTableModel):
    """The ledger rows of one ``ElderQuery`` in one order, fetched ``PAGE`` at a time from SQL."""

    counted = Signal(int)  # the number of rows the query gives, once known

    def __init__(self, db, parent=None, *, clock: Callable[[], dt.date] = dt.date.today):
        super().__init__(parent)
        self.db = db
        self._clock = clock  # the page passes ctx.today
        self.query = elders.ElderQuery(status=DEFAULT_STATUS)
        self.order_by = "village"
        self.descending = False
        self.rows: list[dict] = []
        self.total = 0          # rows the query gives; while ``counting``, a lower bound
        self.counting = False

    @property
    def today(self) -> dt.date:
        return self._clock()

    # ---------------------------------------------------------------- loading

    def _fetch(self, offset: int, limit: int) -> list[dict]:
        rows = elders.list_elders(self.db, self.query, order_by=self.order_by, descending=self.descending,
                                  limit=limit, offset=offset)
        today = self.today
        for row in rows:  # full years today, worked out once per row rather than on every paint
            row["age"] = age_on(row["birth_date"], today) if row.get("birth_date") else None
        return rows

    def load(self, query: elders.ElderQuery | None = None, *, order_by: str | None = None,
             descending: bool | None = None, at_least: int = PAGE, count_later: bool = False,
             total: int | None = None) -> None:
        """Run the query again (with new filters or order when given), loading ``at_least`` rows at once.

        When the first rows are fewer than asked for, they are all there is and no count is needed. Otherwise
        the rows are counted in SQL — at once, or with ``count_later`` once the new rows have been painted, so
        that a keystroke's rows are on screen first (``counted`` is emitted when ``total`` is known) — unless
        the caller knows the ``total`` (the same filters in another order).
        """
        if query is not None:
            self.query = query
        if order_by is not None:
            self.order_by = order_by
        if descending is not None:
            self.descending = descending
        wanted = max(PAGE, at_least)
        self.beginResetModel()
        self.rows = self._fetch(0, wanted)
        self.counting = len(self.rows) >= wanted
        self.total = len(self.rows) + (1 if self.counting else 0)  # until counted: "at least one more"
        self.endResetModel()
        if self.counting and total is not None and total >= len(self.rows):
            self.total = total
            self.counting = False
        if not self.counting:
            self.counted.emit(self.total)
        elif count_later:
            # Posted below the priority of Qt's paint requests, so the new rows are painted before the count.
            QCoreApplication.postEvent(self, QEvent(_COUNT_EVENT), _AFTER_PAINTING)
        else:
            self._count()

    def event(self, event: QEvent) -> bool:
        if event.type() == _COUNT_EVENT:
            self._count()
            return True
        return super().event(event)

    def _count(self) -> None:
        if not self.counting:
            return  # counted already, or paging reached the end first
        self.total = max(elders.count_elders(self.db, self.query), len(self.rows))
        self.counting = False
        self.counted.emit(self.total)

    def canFetchMore(self, parent: QModelIndex = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt signature
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent: QModelIndex = QModelIndex()) -> None:  # noqa: B008, N802 - Qt signature
        if not self.canFetchMore(parent):
            return
        more = self._fetch(len(self.rows), PAGE)
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()
        if len(more) < PAGE:  # the end: exact whatever the count said (the ledger may have changed since)
            self.total = len(self.rows)
            if self.counting:
                self.counting = False
                self.counted.emit(self.total)
        elif self.counting:
            self.total = len(self.rows) + 1

    def fetch_all(self) -> None:
        """Load every remaining row of the query at once (导出到 Excel wants them all: one query, not a page
        at a time, each of which would skip the rows before it again)."""
        more = self._fetch(len(self.rows), -1)  # LIMIT -1: no limit
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows.extend(more)
            self.endInsertRows()
        self.total = len(self.rows)
        if self.counting:
            self.counting = False
            self.counted.emit(self.total)

    def export_source(self, db_path) -> Callable[[Any], tuple[list[tuple[str, str]], list[dict]]]:
        """For 导出到 Excel off the GUI thread: a function of a ``ui.jobs.Job`` that reads every row of the query
        shown, in the order shown, through its own connection, as the table shows them (ages as numbers). At
        30,000 elders reading them through the table on the GUI thread froze the window for seconds."""
        from township_desk.models import db as dbm

        query, order_by, descending, today = self.query, self.order_by, self.descending, self.today

        def read(job) -> tuple[list[tuple[str, str]], list[dict]]:
            db = dbm.connect(db_path, migrate=False)
            try:
                rows = elders.list_elders(db, query, order_by=order_by, descending=descending, limit=-1, offset=0)
            finally:
                db.close()
            shown = []
            for number, row in enumerate(rows):
                if number % 2000 == 0:
                    job.check()
                    job.progress(number, len(rows), "正在读取台账……")
                age = age_on(row["birth_date"], today) if row.get("birth_date") else None
                shown.append({key: age if key == "age" else shown_text(row, key) for key in _KEYS})
            return list(COLUMNS), shown

        return read

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorting is done in SQL (``SORT_COLUMNS``), so it covers the rows not fetched yet."""
        if not 0 <= column < len(COLUMNS):
            return
        known = None if self.counting or not self.rows else self.total  # the same rows in another order
        self.load(order_by=_KEYS[column], descending=order == Qt.SortOrder.DescendingOrder, total=known)

    # ---------------------------------------------------------------- reading

    def row(self, number: int) -> dict:
        return self.rows[number]

    def row_of(self, elder_id: int) -> int | None:
        """The row number of an elder among the rows loaded so far."""
        for number, row in enumerate(self.rows):
            if row["id"] == elder_id:
                return number
        return None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802 - Qt signature
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        key = _KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return shown_text(row, key)
        if role == Qt.ItemDataRole.ForegroundRole:
            if row["status"] != DEFAULT_STATUS:
                return _OFF_LEDGER
            if key == "risk_grade" and row.get("risk_grade") == "高":
                return _HIGH_RISK
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "age":
            return _RIGHT
        if role == Qt.ItemDataRole.ToolTipRole:
            if key == "name" and row.get("address"):
                return row["address"]
            if key == "visitor" and row.get("visitor_phone"):
                return f"{row['visitor']} {row['visitor_phone']}"
            if key == "tier":  # why, when it is not the risk grade's tier: 重点（高龄、独居；风险等级为低）
                return f"巡访时按：{group_plans.tier_reading(self.db, row['id'], self._clock()).text}"
            return None
        if role == Qt.ItemDataRole.UserRole:
            return row
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802 - Qt signature
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (role == Qt.ItemDataRole.ToolTipRole and orientation == Qt.Orientation.Horizontal
                and 0 <= section < len(COLUMNS)):
            # the arrow's meaning in words, as on every list (ui.rows_model)
            from township_desk.ui.rows_model import SORT_WORDS

            heading = COLUMNS[section][1]
            if _KEYS[section] != self.order_by:
                return f"点击按“{heading}”排列"
            now, click = SORT_WORDS[Qt.SortOrder.DescendingOrder if self.descending else Qt.SortOrder.AscendingOrder]
            return f"已按“{heading}”{now}排列，再点一下改为{click}"
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][1] if 0 <= section < len(COLUMNS) else None
        return str(section + 1)


class LedgerView(QTableView):
    """The ledger table: Enter (like a double-click) opens the selected elder."""

    open_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


class LedgerPage(QWidget):
    """The 台账 page."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"elders", "visits", "assessments", "villages", "visitors", "settings"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)

        filters = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setPlaceholderText(SEARCH_PLACEHOLDER)
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        filters.addWidget(QLabel("查找"))
        filters.addWidget(self.search, 2)
        filters.addWidget(QLabel("村（社区）"))
        self.village_combo = QComboBox()
        self.village_combo.setMinimumContentsLength(6)
        filters.addWidget(self.village_combo)
        filters.addWidget(QLabel(GroupFilter.LABEL))
        self.group_combo = GroupFilter()
        filters.addWidget(self.group_combo)
        filters.addWidget(QLabel("巡访类别"))
        self.tier_combo = QComboBox()
        self.tier_combo.addItems([ALL, *elders.TIERS])
        filters.addWidget(self.tier_combo)
        filters.addWidget(QLabel("状态"))
        self.status_combo = QComboBox()
        self.status_combo.addItems([ALL, *elders.STATUSES])
        self.status_combo.setCurrentText(DEFAULT_STATUS)
        filters.addWidget(self.status_combo)
        self.flag_checks: dict[str, QCheckBox] = {}
        for flag in elders.FLAGS:
            check = QCheckBox(flag)
            check.setToolTip({"失能": "能力等级为中度失能及以上", "高龄": "80周岁及以上"}.get(flag, ""))
            self.flag_checks[flag] = check
            filters.addWidget(check)
        filters.addStretch(1)
        self.count_label = QLabel()
        filters.addWidget(self.count_label)
        layout.addLayout(filters)

        self.model = LedgerModel(ctx.db, self, clock=ctx.today)
        self.view = LedgerView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)  # ResizeToContents re-measures on every query
        header.setStretchLastSection(True)
        header.setSortIndicator(_KEYS.index("village"), Qt.SortOrder.AscendingOrder)
        rows_header = self.view.verticalHeader()
        rows_header.setVisible(False)
        rows_header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows_header.setDefaultSectionSize(self.fontMetrics().height() + 8)
        layout.addWidget(self.view, 1)

        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("new", "新增", self.new_elder), ("edit", "修改", self.edit_selected),
                                ("status", "状态变更…", self.change_status_of_selected),
                                ("import", "导入台账", self.import_ledger)):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            buttons.addWidget(button)
            self.buttons[key] = button
        self.buttons["edit"].setToolTip("也可双击一行或按回车键")
        buttons.addStretch(1)
        self.message_label = QLabel()
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons.addWidget(self.message_label)
        layout.addLayout(buttons)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.requery)
        self.search.textChanged.connect(lambda _text: self._search_timer.start())
        self.search.returnPressed.connect(self.requery)
        for combo in (self.village_combo, self.group_combo, self.tier_combo, self.status_combo):
            combo.currentIndexChanged.connect(lambda _i: self.requery())
        for check in self.flag_checks.values():
            check.toggled.connect(lambda _c: self.requery())
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.view.open_requested.connect(self.edit_selected)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.model.counted.connect(self._show_count)
        from township_desk.ui.elder_file import install_elder_menu
        from township_desk.ui.list_export import filter_title

        install_elder_menu(self.view, ctx, "id", after=self.refresh, today=lambda: self.today, export_title=lambda: (
            filter_title("台账", [self.search.text(), self.village_combo, self.tier_combo, self.status_combo,
                                *[flag for flag, check in self.flag_checks.items() if check.isChecked()]])))

        from township_desk.ui.empty_state import show_when_empty

        show_when_empty(self.view, self._empty_text)
        self._fill_villages()
        self.model.query = self.current_query()
        self.view.setSortingEnabled(True)  # sorts by the indicator (村（社区）), which is the first query
        self.view.resizeColumnsToContents()
        self._show_count()
        self._update_buttons()

    # ---------------------------------------------------------------- filters

    @property
    def today(self) -> dt.date:
        return self.ctx.today()

    def _fill_villages(self) -> None:
        refill_choices(self.village_combo, [(v["name"], v["id"]) for v in villages.list_villages(self.ctx.db)], ALL)

    def current_query(self) -> elders.ElderQuery:
        """The filters as the widgets show them."""
        tier = self.tier_combo.currentText()
        status = self.status_combo.currentText()
        return elders.ElderQuery(
            search=self.search.text().strip(),
            village_id=self.village_combo.currentData(),
            tier=None if tier == ALL else tier,
            status=None if status == ALL else status,
            flags=tuple(flag for flag, check in self.flag_checks.items() if check.isChecked()),
            as_of=self.today,
            group=self.group_combo.group(),
        )

    def requery(self) -> None:
        """The filters changed: run the query from its first page, keeping the selected elder when still listed."""
        self._search_timer.stop()
        selected = self.current_elder_id()
        self.model.load(self.current_query(), count_later=True)
        self._after_load(selected)

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def refresh(self) -> None:
        """Re-read the ledger (and the villages) with the same filters, keeping the selection and as many rows
        as were loaded."""
        self._search_timer.stop()
        self._fill_villages()
        selected = self.current_elder_id()
        scroll = self.view.verticalScrollBar().value()
        self.model.load(self.current_query(), at_least=self.model.rowCount())
        self.view.verticalScrollBar().setValue(scroll)
        self._after_load(selected, scroll_to=False)

    def _after_load(self, selected: int | None, scroll_to: bool = True) -> None:
        self._show_count()
        if selected is not None:
            number = self.model.row_of(selected)
            if number is not None:
                self._select_row(number, scroll_to)
        self._update_buttons()

    def _show_count(self, *_args) -> None:
        if not self.model.counting:
            self.count_label.setText(f"共 {self.model.total} 人")

    def apply_filters(self, filters: dict) -> None:
        """Show the ledger as another page asks: ``search``, ``village`` (name), ``group`` (a 巡访对象类别), ``tier``,
        ``status`` (全部 for every status), ``flags`` (any of 独居/失能/高龄/无人照料) and ``elder_id`` (select that elder).

        A filter not given is cleared. Without ``status`` the list shows 在册, except when looking for someone
        (``search`` or ``elder_id``): then every status, so a person who has left the ledger is still found.
        """
        self._search_timer.stop()
        looking_for_someone = bool(filters.get("search") or filters.get("elder_id"))
        status = filters.get("status") or (ALL if looking_for_someone else DEFAULT_STATUS)
        widgets = [self.search, self.village_combo, self.group_combo, self.tier_combo, self.status_combo,
                   *self.flag_checks.values()]
        for widget in widgets:
            widget.blockSignals(True)
        try:
            self.search.setText(str(filters.get("search") or ""))
            self.village_combo.setCurrentIndex(max(self.village_combo.findText(filters.get("village") or ALL), 0))
            self.group_combo.set_group(filters.get("group"))
            self.tier_combo.setCurrentIndex(max(self.tier_combo.findText(filters.get("tier") or ALL), 0))
            self.status_combo.setCurrentIndex(max(self.status_combo.findText(status), 0))
            flags = filters.get("flags") or ()
            flags = (flags,) if isinstance(flags, str) else tuple(flags)
            for flag, check in self.flag_checks.items():
                check.setChecked(flag in flags)
        finally:
            for widget in widgets:
                widget.blockSignals(False)
        self.view.clearSelection()
        self.model.load(self.current_query())
        self._after_load(None)
        if filters.get("elder_id"):
            self.select_elder(int(filters["elder_id"]))
        elif filters.get("search") and self.model.total == 1:
            self._select_row(0)

    def _empty_text(self) -> str:
        """What the empty list says: the ledger has nobody yet, or nobody matches the filters."""
        if not elders.count_elders(self.ctx.db, elders.ElderQuery()):
            return LEDGER_EMPTY
        return LEDGER_NO_MATCH

    # ---------------------------------------------------------------- selection

    def _select_row(self, number: int, scroll_to: bool = True) -> None:
        self.view.selectRow(number)
        self.view.setCurrentIndex(self.model.index(number, 0))
        if scroll_to:
            self.view.scrollTo(self.model.index(number, 0))

    def select_elder(self, elder_id: int) -> bool:
        """Select an elder: among the rows listed (fetching a few more pages if need be), or else by narrowing
        the list to their ID number with every status shown. False if there is no such elder."""
        number = self.model.row_of(elder_id)
        while number is None and self.model.canFetchMore() and self.model.rowCount() < FIND_LIMIT:
            self.model.fetchMore()
            number = self.model.row_of(elder_id)
        if number is None:
            found = self.ctx.db.execute("SELECT id_number FROM elders WHERE id = ?", [elder_id]).fetchone()
            if found is None:
                return False
            self.apply_filters({"search": found[0]})
            number = self.model.row_of(elder_id)
            if number is None:
                return False
        self._select_row(number)
        self._update_buttons()
        return True

    def current_elder_id(self) -> int | None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows or rows[0].row() >= self.model.rowCount():
            return None
        return self.model.row(rows[0].row())["id"]

    def current(self) -> dict | None:
        """The selected row as listed (``list_elders``' keys), or None."""
        elder_id = self.current_elder_id()
        number = self.model.row_of(elder_id) if elder_id is not None else None
        return self.model.row(number) if number is not None else None

    def _update_buttons(self) -> None:
        selected = self.current_elder_id() is not None
        self.buttons["edit"].setEnabled(selected)
        self.buttons["status"].setEnabled(selected)

    # ---------------------------------------------------------------- actions

    def new_elder(self) -> int | None:
        """Open an empty 登记表 (in the village the list is filtered to); select the new elder when saved."""
        from township_desk.ui.elder_editor import ElderEditor

        dialog = ElderEditor(self.ctx, None, self, village_id=self.village_combo.currentData())
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.elder_id is None:
            return None
        self.select_elder(dialog.elder_id)
        self.message_label.setText(f"已新增：{dialog.value('name')}")
        return dialog.elder_id

    def edit_selected(self) -> None:
        elder_id = self.current_elder_id()
        if elder_id is None:
            return
        from township_desk.ui.elder_editor import ElderEditor

        dialog = ElderEditor(self.ctx, elder_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.select_elder(elder_id)
            self.message_label.setText(f"已保存：{dialog.value('name')}")

    def change_status_of_selected(self) -> None:
        elder_id = self.current_elder_id()
        if elder_id is None:
            return
        from township_desk.ui.elder_editor import StatusDialog

        dialog = StatusDialog(self.ctx, elder_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            # the elder may now be outside the status filter: the message says what became of them
            if self.model.row_of(elder_id) is not None:
                self.select_elder(elder_id)
            self.message_label.setText(f"{dialog.elder['name']} 的状态已改为“{dialog.new_status()}”")

    def import_ledger(self) -> None:
        from township_desk.ui.import_wizard import ImportWizard

        ImportWizard(self.ctx, self).exec()
        self.refresh()
