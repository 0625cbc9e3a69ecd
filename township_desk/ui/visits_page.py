"""巡访: the overdue list (one keystroke to record a visit), who is not yet visited this month, each elder's
visit history, each visitor's workload, hazards until closed, festival / extreme-weather campaigns and charts.

Every rule is in ``models`` (``schedule.overdue`` for who is overdue, ``visits``, ``hazards``): this module only
shows what they return. ``today`` (the office's day) is ``ctx.today()``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, rate_labels, villages, visitors
from township_desk.ui.campaigns_tab import CampaignsTab
from township_desk.ui.charts_tab import ChartsTab  # light: it imports matplotlib only when first shown
from township_desk.ui.elder_file import install_elder_menu
from township_desk.ui.empty_state import show_when_empty, unless_ledger_empty
from township_desk.ui.list_export import filter_title, install_export_menu
from township_desk.ui.rows_model import RowsModel
from township_desk.ui.widgets import GroupFilter, refill_choices, selected_row, table_view

RED = "#c9302c"
OVERDUE_COLUMNS = [("village", "村（社区）"), ("name", "姓名"), ("tier", "巡访类别"), ("kind_label", "类型"),
                   ("due_text", "应上门日期 / 统计周"), ("days_overdue", "逾期天数"), ("shortfall_text", "上周电话视频"),
                   ("week_text", "本周已联系"), ("last_home_text", "最近上门巡访"), ("visitor", "巡访责任人"), ("visitor_phone", "责任人电话"),
                   ("id_number", "身份证号码")]
OVERDUE_KINDS = (("逾期未上门", "home"), ("上周电话视频不足", "remote"), ("全部", None))


class _EnterKey(QObject):
    """Return/Enter on a table runs ``action`` (the table itself would only emit ``activated``)."""

    def __init__(self, view: QTableView, action: Callable[[], None]):
        super().__init__(view)
        self._action = action
        view.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._action()
            return True
        return False


def column_of(model: RowsModel, key: str) -> int:
    return [k for k, _h in model.columns].index(key)


class _Tab(QWidget):
    """A tab of the page: the shared context and the office's day."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._loaded_key: tuple | None = None

    @property
    def today(self) -> dt.date:
        return self.ctx.today()

    def _load_key(self, *filters) -> tuple:
        """What a list was loaded from: the database as this window sees it, the day and the filters. A refresh
        with the same key has nothing new to show and returns at once (a save announced its change and reloaded
        the list already; the dialog's caller asks again; at 30,000 elders each reload takes a few hundred ms)."""
        return (*self.ctx.data_key(), self.today, filters)


class OverdueTab(_Tab):
    """Overdue home visits and last week's remote shortfalls; Enter records a visit for the selected elder."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.village = QComboBox()
        self.group = GroupFilter()
        self.visitor = QComboBox()
        self.kind = QComboBox()
        for label, value in OVERDUE_KINDS:
            self.kind.addItem(label, value)
        self.count = QLabel()
        self.model = RowsModel(OVERDUE_COLUMNS, color=lambda r: RED if r["kind"] == "home" else "#8a6d3b",
                               sort_keys={"due_text": "due_date", "shortfall_text": "shortfall",
                                          "last_home_text": "last_home_visit"})
        self.table = table_view(self.model, sort_by=(column_of(self.model, "days_overdue"),
                                                     Qt.SortOrder.DescendingOrder))  # longest overdue first
        self.table.doubleClicked.connect(lambda _i: self.record_visit())
        _EnterKey(self.table, self.record_visit)
        install_elder_menu(self.table, ctx, after=self.refresh, today=lambda: self.today, export_title=lambda: (
            filter_title("逾期清单", [self.village, self.group, self.visitor, self.kind])))
        show_when_empty(self.table, self._empty_text)
        self.record_button = QPushButton("登记巡访（回车）")
        self.record_button.clicked.connect(self.record_visit)
        filters = QHBoxLayout()
        for label, widget in (("村（社区）", self.village), (GroupFilter.LABEL, self.group), ("巡访责任人", self.visitor),
                              ("类型", self.kind)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count)
        filters.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        self.rule_note = QLabel()  # follows the visit plan in 设置 (refresh)
        layout.addWidget(self.rule_note)
        self._load_choices()
        for combo in (self.village, self.group, self.visitor, self.kind):
            combo.currentIndexChanged.connect(self.refresh)

    def _load_choices(self) -> None:
        """Villages and visitors as they are now (设置 may have added some), keeping what was chosen."""
        refill_choices(self.village, [(v["name"], v["name"]) for v in villages.list_villages(self.ctx.db)])
        refill_choices(self.visitor, [(f"{v['name']}（{v['village'] or v['role']}）", v["id"])
                                      for v in visitors.list_visitors(self.ctx.db)])

    def set_filters(self, *, village: str | None = None, visitor_id: int | None = None,
                    kind: str | None = "home", group: str | None = None) -> None:
        """Show the list for a village, a visitor, a kind (home/remote/None = both) and a 巡访对象类别 (None: all);
        others are cleared."""
        self._load_choices()
        for combo, value in ((self.village, village), (self.group, group), (self.visitor, visitor_id),
                             (self.kind, kind)):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(value), 0))
            combo.blockSignals(False)
        self.refresh()

    def set_kind(self, kind: str | None) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def _empty_text(self) -> str:
        kind = self.kind.currentData()
        text = {"home": "没有逾期未上门的老人：每位在册老人都在规定的间隔内上门巡访过。",
                "remote": "上周每位在册老人的电话视频巡访次数都已达到要求。"}.get(
            kind, "没有逾期未上门、也没有上周电话视频巡访不足的老人。")
        narrowed = "，".join(c.currentText() for c in (self.village, self.visitor) if c.currentData() is not None)
        return unless_ledger_empty(self.ctx.db, f"按当前筛选（{narrowed}）：{text}" if narrowed else text)

    @staticmethod
    def _row(item) -> dict:
        row = {key: getattr(item, key) for key in ("elder_id", "id_number", "name", "village", "tier", "visitor_id",
                                                   "visitor", "visitor_phone", "kind", "due_date", "days_overdue",
                                                   "shortfall", "contacts", "required", "last_home_visit")}
        row["kind_label"] = item.kind_label
        row["last_home_text"] = item.last_home_visit.isoformat() if item.last_home_visit else "从未上门"
        if item.kind == "home":
            row["due_text"] = item.due_date.isoformat()
            row["shortfall_text"] = ""
        else:
            monday = item.due_date - dt.timedelta(days=6)
            row["due_text"] = f"{monday.isoformat()} 至 {item.due_date.isoformat()}"
            row["shortfall_text"] = f"缺 {item.shortfall} 次（应 {item.required} 次，实 {item.contacts} 次）"
        return row

    def refresh(self) -> None:
        from township_desk.models import schedule

        key = self._load_key(self.village.currentData(), self.group.group(), self.visitor.currentData(),
                             self.kind.currentData())
        if key == self._loaded_key:
            return
        self._load_choices()
        self.rule_note.setText(schedule.rule_text(self.ctx.db))
        kept = self.table.currentIndex().row() if selected_row(self.table) is not None else None
        kind = self.kind.currentData()
        items = schedule.overdue(self.ctx.db, self.today, village=self.village.currentData(),
                                 visitor_id=self.visitor.currentData(), group=self.group.group(),
                                 kinds=(kind,) if kind else schedule.KINDS)
        rows = [self._row(item) for item in items]
        progress = schedule.week_progress(self.ctx.db, self.today, list({r["elder_id"] for r in rows}))
        for row in rows:  # a call recorded today clears no shortfall of last week, but shows here at once
            row["week_text"] = progress[row["elder_id"]].text if row["elder_id"] in progress else ""
        self.model.set_rows(rows)  # in the clerk's order (the model keeps the header's)
        home = sum(1 for r in rows if r["kind"] == "home")
        remote = len(rows) - home
        parts = []
        if kind in ("home", None):
            parts.append(f"逾期未上门 {home} 人")
        if kind in ("remote", None):
            parts.append(f"上周电话视频不足 {remote} 人")
        self.count.setText("，".join(parts))
        if kept is not None and rows:
            # The next elder comes up under the cursor: Enter, Enter … works down the list.
            self.table.selectRow(min(kept, len(rows) - 1))
        self._loaded_key = key

    def shown(self) -> list[dict]:
        return list(self.model.rows)

    def record_visit(self) -> None:
        row = selected_row(self.table)
        if row is None:
            QMessageBox.information(self, "登记巡访", "请先在清单中选中一位老人。")
            return
        if row["kind"] == "remote":  # a call is logged quickly, dated in the short week if it was made then
            from township_desk.ui.contact_log import ContactLogDialog

            monday = row["due_date"] - dt.timedelta(days=6)
            if ContactLogDialog(self.ctx, [row["elder_id"]], self, today=self.today,
                                shortfall_week=(monday, row["due_date"])).exec():
                self.refresh()
            return
        from township_desk.ui.visit_dialog import VisitDialog

        dialog = VisitDialog(self.ctx, row["elder_id"], self, mode="上门")
        if dialog.exec():
            self.refresh()


class UnvisitedTab(_Tab):
    """在册 elders with no home visit yet this month: what keeps the monthly visit rate below 100%."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.summary = QLabel()
        self.model = RowsModel([("village", "村（社区）"), ("name", "姓名"), ("tier", "巡访类别"),
                                ("last_home_text", "最近上门巡访"), ("visitor", "巡访责任人"),
                                ("visitor_phone", "责任人电话"), ("id_number", "身份证号码")],
                               sort_keys={"last_home_text": "last_home_visit"})
        self.table = table_view(self.model)
        self.table.doubleClicked.connect(lambda _i: self.record_visit())
        _EnterKey(self.table, self.record_visit)
        install_elder_menu(self.table, ctx, after=self.refresh, today=lambda: self.today,
                           export_title=lambda: f"本月未上门{self.group.group() or ''}（{self.today:%Y年%m月}）")
        show_when_empty(self.table, lambda: unless_ledger_empty(
            self.ctx.db, f"本月每位在册老人都已上门巡访过，{rate_labels.rate_name(rate_labels.HOME)} 100%。"))
        self.record_button = QPushButton("登记巡访")
        self.record_button.clicked.connect(self.record_visit)
        self.group = GroupFilter()
        self.group.currentIndexChanged.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel(GroupFilter.LABEL))
        top.addWidget(self.group)
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        from township_desk.models import schedule

        key = self._load_key(self.group.group())
        if key == self._loaded_key:
            return
        today = self.today
        month = f"{today.year:04d}-{today.month:02d}"
        group = self.group.group()
        rows = schedule.unvisited_in_month(self.ctx.db, month, group)
        for row in rows:
            row["last_home_text"] = row["last_home_visit"] or "从未上门"
        visited, total, rate = schedule.monthly_visit_rate(self.ctx.db, month, group)
        self.model.set_rows(rows)
        self.summary.setText(f"{today.year}年{today.month}月（截至{today.month}月{today.day}日）：{group or ''}在册 {total} 人，"
                             f"已上门 {visited} 人，{rate_labels.rate_name(rate_labels.HOME)} {rate * 100:.1f}%，"
                             f"尚未上门 {len(rows)} 人")
        self.summary.setToolTip(rate_labels.rate_meaning(rate_labels.HOME))
        self._loaded_key = key

    def record_visit(self) -> None:
        row = selected_row(self.table)
        if row is None:
            QMessageBox.information(self, "登记巡访", "请先在名单中选中一位老人。")
            return
        from township_desk.ui.visit_dialog import VisitDialog

        if VisitDialog(self.ctx, row["elder_id"], self, mode="上门").exec():
            self.refresh()


class HistoryTab(_Tab):
    """One elder's visits, newest first; the elder is found by name, pinyin initials or ID number.

    A double-click (or Enter, or 查看/更正) opens the visit: its photos, 更正 and 作废. A voided visit stays in the
    list, grey and marked 已作废 with the reason; the summary counts only the visits that count."""

    GREY = "#8a8a8a"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.elder_id: int | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("姓名、拼音首字母或身份证号码")
        self.search.setClearButtonEnabled(True)
        self.matches = QComboBox()
        self.search.textChanged.connect(self._find)
        self.matches.currentIndexChanged.connect(self._choose)
        self.model = RowsModel([("date", "巡访时间"), ("mode", "方式"), ("visitor_name", "巡访人员"),
                                ("visit_type", "类型"), ("campaign", "巡访活动"), ("findings", "发现问题"),
                                ("state", "状态"), ("notes", "其他情况说明"), ("photos_text", "照片")],
                               color=self._color)
        self.table = table_view(self.model)
        self.table.setSortingEnabled(False)  # newest first, as the model gives them
        self.table.doubleClicked.connect(lambda _index: self.open_visit())
        _EnterKey(self.table, self.open_visit)
        install_elder_menu(self.table, ctx, after=self.refresh, today=lambda: self.today,
                           export_title=lambda: f"巡访记录（{self.matches.currentText().split('　')[0]}）")
        show_when_empty(self.table, lambda: (
            "这位老人还没有巡访记录：点击“登记巡访”登记第一次巡访。" if self.elder_id is not None
            else "在上方输入姓名、拼音首字母或身份证号码选出一位老人，这里列出他的巡访记录。"))
        self.summary = QLabel()
        self.open_button = QPushButton("查看/更正…")
        self.open_button.setToolTip("打开选中的巡访记录：查看照片、更正或作废（也可双击记录）")
        self.open_button.clicked.connect(self.open_visit)
        self.print_button = QPushButton("打印巡访记录…")
        self.print_button.setToolTip("把选中的巡访记录打印成巡访登记表（Word），保存后可打开或直接打印")
        self.print_button.clicked.connect(lambda _checked=False: self.print_visit())
        self.record_button = QPushButton("登记巡访")
        self.record_button.clicked.connect(self.record_visit)
        top = QHBoxLayout()
        top.addWidget(QLabel("老人"))
        top.addWidget(self.search)
        top.addWidget(self.matches, 1)
        top.addWidget(self.open_button)
        top.addWidget(self.print_button)
        top.addWidget(self.record_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.table)

    @classmethod
    def _color(cls, row: dict) -> str | None:
        if row.get("voided_at"):
            return cls.GREY
        return RED if row.get("findings") else None

    def _find(self, text: str) -> None:
        self.matches.blockSignals(True)
        self.matches.clear()
        if text.strip():
            found = elders.list_elders(self.ctx.db, elders.ElderQuery(search=text.strip()), limit=50)
            for row in found:
                self.matches.addItem(f"{row['name']}　{row['village']}　{row['id_number']}　{row['status']}", row["id"])
            if not found:
                self.matches.addItem(f"没有找到“{text.strip()}”", None)
        self.matches.blockSignals(False)
        self._choose()

    def _choose(self) -> None:
        self.show_elder(self.matches.currentData())

    def show_elder(self, elder_id: int | None) -> None:
        from township_desk.models import visits

        self.elder_id = elder_id
        rows = []
        if elder_id is not None:
            if self.matches.findData(elder_id) < 0:  # opened from elsewhere: name the elder in the chooser
                elder = elders.get_elder(self.ctx.db, elder_id)
                self.matches.blockSignals(True)
                self.matches.clear()
                self.matches.addItem(f"{elder['name']}　{elder['village']}　{elder['id_number']}　{elder['status']}",
                                     elder_id)
                self.matches.blockSignals(False)
            for visit in visits.visit_history(self.ctx.db, elder_id):
                row = dict(visit)
                row["findings"] = visits.proposed_hazard(visit) or ""
                row["photos_text"] = f"{len(visit['photos'])} 张" if visit["photos"] else ""
                row["state"] = (f"{visits.VOIDED_LABEL}：{visit['void_reason']}（{visit['voided_by']}，"
                                f"{visit['voided_at'][:10]}）" if visit["voided_at"] else "")
                rows.append(row)
        self.model.set_rows(rows)
        if elder_id is None:
            self.summary.setText("")
        else:
            counted = [r for r in rows if not r["voided_at"]]
            home = sum(1 for r in counted if r["mode"] == "上门")
            voided = len(rows) - len(counted)
            self.summary.setText(f"共 {len(counted)} 次巡访，其中上门 {home} 次、电话视频 {len(counted) - home} 次"
                                 + (f"；最近一次 {counted[0]['date']}（{counted[0]['mode']}）" if counted else "")
                                 + (f"；另有 {voided} 条已作废的记录（灰色，不计入统计）" if voided else ""))

    def open_visit(self) -> None:
        """Open the selected visit in the visit dialog (view, photos, 更正, 作废); the list reloads after it."""
        row = selected_row(self.table)
        if row is None:
            QMessageBox.information(self, "巡访记录", "请先在列表中选中一条巡访记录。")
            return
        from township_desk.ui.visit_dialog import VisitDialog

        VisitDialog(self.ctx, row["elder_id"], self, visit_id=row["id"]).exec()
        self.show_elder(self.elder_id)
        for number, shown in enumerate(self.model.rows):  # keep the visit chosen
            if shown["id"] == row["id"]:
                self.table.selectRow(number)
                break

    def print_visit(self, target=None):
        """The selected visit record as its 巡访登记表 (``printing.kinds``' visit-form kind), then 打开 / 打印 /
        关闭 (``ui.after_save``). Returns the file or None."""
        row = selected_row(self.table)
        if row is None:
            QMessageBox.information(self, "打印巡访记录", "请先在列表中选中一条巡访记录。")
            return None
        if row.get("voided_at"):
            QMessageBox.information(self, "打印巡访记录", f"这条巡访记录已作废（{row['void_reason']}），不打印。")
            return None
        from township_desk.models import printouts
        from township_desk.ui import after_save

        name = self.matches.currentText().split("　")[0]
        return after_save.print_to_file(self, self.ctx, printouts.Selection(kind="visit-form", visit_id=row["id"]),
                                        f"巡访记录_{name}_{str(row['date'])[:10]}.docx", title="打印巡访记录",
                                        target=target)

    def record_visit(self) -> None:
        if self.elder_id is None:
            QMessageBox.information(self, "登记巡访", "请先选择一位老人。")
            return
        from township_desk.ui.visit_dialog import VisitDialog

        if VisitDialog(self.ctx, self.elder_id, self).exec():
            self.show_elder(self.elder_id)

    def refresh(self) -> None:
        self.show_elder(self.elder_id)


class WorkloadTab(_Tab):
    """Each visitor: how many elders they visit and how many of them are overdue; below, whom they visit."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.model = RowsModel([("name", "巡访责任人"), ("kind", "类别"), ("phone", "电话"), ("village", "村（社区）"),
                                ("elders", "负责老人数"), ("key_elders", "其中重点"), ("overdue", "逾期未上门"),
                                ("home_visits_month", "本月上门次数"), ("remote_visits_month", "本月电话视频次数")],
                               color=lambda r: RED if r.get("overdue") else None)
        self.table = table_view(self.model)
        self.table.doubleClicked.connect(self._show_visitor)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._show_elders())
        self.on_visitor: Callable[[int], None] | None = None
        self.elders_label = QLabel()
        self.elder_model = RowsModel([("village", "村（社区）"), ("name", "姓名"), ("tier", "巡访类别"),
                                      ("last_home_text", "最近上门巡访"), ("overdue_text", "逾期"),
                                      ("address", "住址"), ("phone", "老人电话")],
                                     color=lambda r: RED if r.get("days_overdue") else None,
                                     sort_keys={"overdue_text": "days_overdue", "last_home_text": "last_home_visit"})
        self.elder_table = table_view(self.elder_model)
        install_elder_menu(self.elder_table, ctx, "id", double_click=True, after=self.refresh,
                           today=lambda: self.today, export_title=lambda: (
                               f"{self.selected_visitor_name()}负责的在册老人"))
        install_export_menu(self.table, ctx.db_path, lambda: f"巡访责任人工作量（{self.today:%Y年%m月}）")
        self.group = GroupFilter()
        self.group.currentIndexChanged.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(QLabel(GroupFilter.LABEL))
        top.addWidget(self.group)
        top.addWidget(QLabel("选中一位巡访责任人，下方列出他负责的在册老人；双击可在“逾期清单”中只看他负责的老人。"), 1)
        show_when_empty(self.table, "还没有巡访责任人：请在“设置 → 巡访责任人”中点击“新增…”添加，再用“批量分配”把老人交给他们。")
        show_when_empty(self.elder_table, lambda: (
            "" if self.model.rowCount() == 0  # the list above says what to do
            else "选中上方一位巡访责任人，这里列出他负责的在册老人。" if selected_row(self.table) is None
            else "他还没有负责的在册老人：可在“设置 → 巡访责任人”中用“批量分配”把老人交给他。"))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 3)
        layout.addWidget(self.elders_label)
        layout.addWidget(self.elder_table, 2)

    def refresh(self) -> None:
        from township_desk.models import visits

        key = self._load_key(self.group.group())
        if key == self._loaded_key:
            return
        kept = self.selected_visitor()
        self.model.set_rows(visits.visitor_workload(self.ctx.db, self.today, group=self.group.group()))
        for number, row in enumerate(self.model.rows):
            if row["visitor_id"] == kept:
                self.table.selectRow(number)
                break
        self._show_elders()
        self._loaded_key = key

    def selected_visitor_name(self) -> str:
        row = selected_row(self.table)
        return row["name"] if row else ""

    def selected_visitor(self) -> int | None:
        row = selected_row(self.table)
        return row["visitor_id"] if row else None

    def _show_elders(self) -> None:
        """The chosen visitor's elders 在册, with how many days each is overdue (``schedule.overdue``)."""
        from township_desk.models import schedule

        row = selected_row(self.table)
        if row is None:
            self.elder_model.set_rows([])
            self.elders_label.setText("")
            return
        group = self.group.group()
        people = elders.list_elders(self.ctx.db, elders.ElderQuery(visitor_id=row["visitor_id"], status="在册",
                                                                   group=group, as_of=self.today))
        late = {i.elder_id: i.days_overdue for i in schedule.overdue(self.ctx.db, self.today, group=group,
                                                                      visitor_id=row["visitor_id"], kinds=("home",))}
        for person in people:
            person["days_overdue"] = late.get(person["id"])
            person["overdue_text"] = f"逾期 {late[person['id']]} 天" if person["id"] in late else ""
            person["last_home_text"] = person["last_home_visit"] or "从未上门"
        people.sort(key=lambda person: -(person["days_overdue"] or 0))  # the longest overdue first, then by village
        self.elder_model.set_rows(people)
        self.elders_label.setText(f"{row['name']}负责的{group or ''}在册老人 {len(people)} 人，逾期未上门 {len(late)} 人")

    def _show_visitor(self, index) -> None:
        if index.isValid() and self.on_visitor:
            self.on_visitor(self.model.row(index.row())["visitor_id"])


class HazardsTab(_Tab):
    """Hazards found on visits: open ones first (in red); a double-click records the follow-up."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        self.only_open = QCheckBox("只看未处置")
        self.only_open.setChecked(True)
        self.only_open.toggled.connect(self.refresh)
        self.count = QLabel()
        self.model = RowsModel([("village", "村（社区）"), ("name", "姓名"), ("found_on", "发现日期"),
                                ("description", "发现的问题"), ("supporter_told_on", "通报赡养人"),
                                ("reported_on", "报告乡镇"), ("resolved_on", "处置日期"), ("resolution", "处置情况"),
                                ("visitor", "巡访责任人"), ("visitor_phone", "责任人电话")],
                               color=lambda r: RED if not r.get("resolved_on") else None)
        self.table = table_view(self.model)
        self.table.doubleClicked.connect(self.follow_up)
        _EnterKey(self.table, lambda: self.follow_up(self.table.currentIndex()))
        install_elder_menu(self.table, ctx, after=self.refresh, today=lambda: self.today, export_title=lambda: (
            "风险隐患（未处置）" if self.only_open.isChecked() else "风险隐患"))
        show_when_empty(self.table, lambda: (
            "没有未处置的风险隐患。巡访时有一项评为“差”或“不安全”，保存后会提出一项风险隐患。"
            if self.only_open.isChecked() else "还没有记录过风险隐患。"))
        self.follow_button = QPushButton("跟进处置")
        self.follow_button.clicked.connect(lambda: self.follow_up(self.table.currentIndex()))
        top = QHBoxLayout()
        top.addWidget(self.only_open)
        top.addWidget(self.count)
        top.addStretch(1)
        top.addWidget(self.follow_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        from township_desk.models import hazards

        key = self._load_key(self.only_open.isChecked())
        if key == self._loaded_key:
            return
        rows = hazards.list_hazards(self.ctx.db, only_open=self.only_open.isChecked())
        self.model.set_rows(rows)
        still_open = sum(1 for r in rows if not r["resolved_on"])
        untold = sum(1 for r in rows if not r["resolved_on"] and not r["supporter_told_on"])
        self.count.setText(f"未处置 {still_open} 项" + (f"，其中 {untold} 项尚未通报赡养人" if untold else ""))
        self._loaded_key = key

    def follow_up(self, index) -> None:
        if not index.isValid():
            QMessageBox.information(self, "跟进处置", "请先在清单中选中一项风险隐患。")
            return
        row = self.model.row(index.row())
        from township_desk.ui.hazard_dialog import HazardDialog

        if HazardDialog(self.ctx, row["elder_id"], self, hazard_id=row["id"]).exec():
            self.refresh()


class VisitsPage(QWidget):
    """The 巡访 page; ``apply_filters`` takes view (overdue/unvisited/hazards/history/workload/campaigns/charts),
    and for the overdue list kind (home/remote; absent = both), village (a name) and visitor_id; elder_id for
    the history; only_open for the hazards (default True). A filter not given is cleared, so the list matches
    the figure that led to it."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"visits", "elders", "hazards", "campaigns", "villages", "visitors", "settings"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.overdue = OverdueTab(ctx)
        self.unvisited = UnvisitedTab(ctx)
        self.history = HistoryTab(ctx)
        self.workload = WorkloadTab(ctx)
        self.hazards = HazardsTab(ctx)
        self.views: dict[str, QWidget] = {"overdue": self.overdue, "unvisited": self.unvisited,
                                          "history": self.history, "workload": self.workload, "hazards": self.hazards}
        self.tabs.addTab(self.overdue, "逾期清单")
        self.tabs.addTab(self.unvisited, "本月未上门")
        self.tabs.addTab(self.history, "巡访记录")
        self.tabs.addTab(self.workload, "责任人工作量")
        self.tabs.addTab(self.hazards, "风险隐患")
        self.campaigns = CampaignsTab(ctx)
        self.views["campaigns"] = self.campaigns
        self.tabs.addTab(self.campaigns, "节日和极端天气巡访")

        self.charts = ChartsTab(ctx)  # draws (and imports matplotlib) only when first shown
        self.views["charts"] = self.charts
        self.tabs.addTab(self.charts, "统计图表")
        self.workload.on_visitor = self._overdue_for_visitor
        self.contact_button = QPushButton("快速登记电话/视频…")
        self.contact_button.setToolTip("一次勾选多位老人，登记电话或视频巡访（接通或未接通）")
        self.contact_button.clicked.connect(self.log_contacts)
        self.make_returns_button = QPushButton("生成回执表…")
        self.make_returns_button.setToolTip("生成某月的巡访回执表（Excel），交各村巡访人员填写")
        self.make_returns_button.clicked.connect(self.make_returns)
        self.import_returns_button = QPushButton("导入回执表…")
        self.import_returns_button.setToolTip("导入各村填好的巡访回执表：先逐行核对，再一次写入")
        self.import_returns_button.clicked.connect(self.import_returns)
        corner = QWidget()
        corner_layout = QHBoxLayout(corner)
        corner_layout.setContentsMargins(0, 0, 4, 0)
        for button in (self.contact_button, self.make_returns_button, self.import_returns_button):
            corner_layout.addWidget(button)
        self.tabs.setCornerWidget(corner, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.refresh()

    def can_close(self) -> bool:
        return True  # nothing unsaved is held on this page

    def make_returns(self) -> None:
        from township_desk.ui import returns_dialogs

        returns_dialogs.make_returns(self.ctx, self, self.ctx.today())

    def import_returns(self, files: list[str] | None = None) -> None:
        from township_desk.ui import returns_dialogs

        returns_dialogs.import_returns(self.ctx, self, self.ctx.today(), files=files,
                                       on_imported=lambda _r: self.refresh())

    def refresh(self) -> None:
        """Reload the tab shown (the others reload when they are shown)."""
        widget = self.tabs.currentWidget()
        if hasattr(widget, "refresh"):
            widget.refresh()

    def _show(self, view: QWidget) -> None:
        self.tabs.blockSignals(True)
        self.tabs.setCurrentWidget(view)
        self.tabs.blockSignals(False)

    def apply_filters(self, filters: dict) -> None:
        view = self.views.get(filters.get("view", "overdue"), self.overdue)
        self._show(view)
        if view is self.overdue:
            self.overdue.set_filters(village=filters.get("village"), visitor_id=filters.get("visitor_id"),
                                     kind=filters.get("kind"), group=filters.get("group"))
        elif view is self.history and filters.get("elder_id"):
            self.history.show_elder(int(filters["elder_id"]))
        elif view is self.hazards:
            self.hazards.only_open.blockSignals(True)
            self.hazards.only_open.setChecked(filters.get("only_open", True))  # the 首页 counts open ones
            self.hazards.only_open.blockSignals(False)
            self.hazards.refresh()
        else:
            self.refresh()

    def log_contacts(self) -> None:
        """快速登记电话/视频 for elders the clerk ticks (those selected in the list shown are ticked already)."""
        from township_desk.ui.contact_log import ContactLogDialog

        widget = self.tabs.currentWidget()
        table = getattr(widget, "table", None)
        row = selected_row(table) if isinstance(table, QTableView) else None
        elder_id = row.get("elder_id") if isinstance(row, dict) else None
        if ContactLogDialog(self.ctx, [elder_id] if elder_id else [], self,
                            today=getattr(widget, "today", None)).exec():
            self.refresh()

    def _overdue_for_visitor(self, visitor_id: int) -> None:
        self._show(self.overdue)
        self.overdue.set_filters(visitor_id=visitor_id, kind=None, group=self.workload.group.group())
