"""巡访: the overdue list (one keystroke to record a visit), who is not yet visited this month, each elder's
visit history, each visitor's workload, hazards until closed, and festival / extreme-weather campaigns."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, villages, visitors
from township_desk.ui.rows_model import RowsModel

OVERDUE_COLUMNS = [("village", "村（社区）"), ("name", "姓名"), ("tier", "巡访类别"), ("kind_label", "类型"),
                   ("due_date", "应巡访日期"), ("days_overdue", "逾期天数"), ("shortfall", "上周缺少次数"),
                   ("visitor", "巡访责任人"), ("visitor_phone", "责任人电话"), ("id_number", "身份证号码")]


def make_table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)  # RowsModel sorts itself
    view.setSortingEnabled(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    view.verticalHeader().setVisible(False)
    view.setAlternatingRowColors(True)
    return view


def selected_row(view: QTableView):
    index = view.currentIndex()
    if not index.isValid():
        return None
    return view.model().row(index.row())


class OverdueTab(QWidget):
    """Overdue home visits and last week's remote shortfalls; Enter records a visit for the selected elder."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.village = QComboBox()
        self.visitor = QComboBox()
        self.kind = QComboBox()
        self.kind.addItem("逾期未上门", "home")
        self.kind.addItem("上周电话视频不足", "remote")
        self.kind.addItem("全部", None)
        self.count = QLabel()
        self.model = RowsModel(OVERDUE_COLUMNS, color=lambda r: "#c9302c" if (r.get("days_overdue") or 0) > 15 else None)
        self.table = make_table(self.model)
        self.table.doubleClicked.connect(lambda _i: self.record_visit())
        record = QPushButton("登记巡访（回车）")
        record.clicked.connect(self.record_visit)
        for shortcut in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            QShortcut(QKeySequence(shortcut), self.table, activated=self.record_visit,
                      context=Qt.ShortcutContext.WidgetShortcut)
        filters = QHBoxLayout()
        for label, widget in (("村（社区）", self.village), ("巡访责任人", self.visitor), ("类型", self.kind)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addStretch(1)
        filters.addWidget(self.count)
        filters.addWidget(record)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table)
        self._load_choices()
        for combo in (self.village, self.visitor, self.kind):
            combo.currentIndexChanged.connect(self.refresh)

    def _load_choices(self) -> None:
        for combo, items in ((self.village, [(v["name"], v["name"]) for v in villages.list_villages(self.ctx.db)]),
                             (self.visitor, [(f"{v['name']}（{v['village'] or v['role']}）", v["id"])
                                             for v in visitors.list_visitors(self.ctx.db)])):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem("全部", None)
            for label, value in items:
                combo.addItem(label, value)
            index = combo.findData(current)
            combo.setCurrentIndex(max(index, 0))
            combo.blockSignals(False)

    def set_kind(self, kind: str | None) -> None:
        index = self.kind.findData(kind)
        if index >= 0:
            self.kind.setCurrentIndex(index)

    def refresh(self) -> None:
        from township_desk.models import schedule

        kind = self.kind.currentData()
        items = schedule.overdue(self.ctx.db, dt.date.today(), village=self.village.currentData(),
                                 visitor_id=self.visitor.currentData(),
                                 kinds=(kind,) if kind else ("home", "remote"))
        rows = []
        for item in items:
            row = {key: getattr(item, key) for key in ("elder_id", "id_number", "name", "village", "tier", "visitor",
                                                       "visitor_phone", "kind", "due_date", "days_overdue",
                                                       "shortfall")}
            row["kind_label"] = "逾期未上门" if item.kind == "home" else "电话视频不足"
            rows.append(row)
        self.model.set_rows(rows)
        self.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
        home = sum(1 for r in rows if r["kind"] == "home")
        self.count.setText(f"逾期未上门 {home} 人，电话视频不足 {len(rows) - home} 人")

    def record_visit(self) -> None:
        row = selected_row(self.table)
        if row is None:
            QMessageBox.information(self, "登记巡访", "请先在清单中选中一位老人。")
            return
        from township_desk.ui.visit_dialog import VisitDialog

        dialog = VisitDialog(self.ctx, row["elder_id"], self, mode="上门" if row["kind"] == "home" else "电话")
        if dialog.exec():
            self.refresh()


class UnvisitedTab(QWidget):
    """在册 elders with no home visit yet this month: what keeps the monthly visit rate below 100%."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.summary = QLabel()
        self.model = RowsModel([("village", "村（社区）"), ("name", "姓名"), ("tier", "巡访类别"),
                                ("last_home_visit", "最近上门巡访"), ("visitor", "巡访责任人"),
                                ("visitor_phone", "责任人电话")])
        self.table = make_table(self.model)
        self.table.doubleClicked.connect(lambda _i: self.record_visit())
        record = QPushButton("登记巡访")
        record.clicked.connect(self.record_visit)
        top = QHBoxLayout()
        top.addWidget(self.summary)
        top.addStretch(1)
        top.addWidget(record)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        from township_desk.models import schedule

        today = dt.date.today()
        month = f"{today.year:04d}-{today.month:02d}"
        rows = schedule.unvisited_in_month(self.ctx.db, month)
        visited, total, rate = schedule.monthly_visit_rate(self.ctx.db, month)
        self.model.set_rows(rows)
        self.summary.setText(f"{today.year}年{today.month}月：在册 {total} 人，已上门 {visited} 人，"
                             f"探访率 {rate * 100:.1f}%，尚未上门 {len(rows)} 人")

    def record_visit(self) -> None:
        row = selected_row(self.table)
        if row is None:
            return
        from township_desk.ui.visit_dialog import VisitDialog

        if VisitDialog(self.ctx, row["elder_id"], self).exec():
            self.refresh()


class HistoryTab(QWidget):
    """One elder's visits, newest first."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.elder_id: int | None = None
        self.search = QLineEdit()
        self.search.setPlaceholderText("姓名、拼音首字母或身份证号码")
        self.matches = QComboBox()
        self.search.textChanged.connect(self._find)
        self.matches.currentIndexChanged.connect(self._choose)
        self.model = RowsModel([("date", "巡访时间"), ("mode", "方式"), ("visitor_name", "巡访人员"),
                                ("visit_type", "类型"), ("findings", "发现问题"), ("notes", "其他情况说明"),
                                ("photos", "照片")],
                               color=lambda r: "#c9302c" if r.get("findings") else None)
        self.table = make_table(self.model)
        record = QPushButton("登记巡访")
        record.clicked.connect(self.record_visit)
        top = QHBoxLayout()
        top.addWidget(QLabel("老人"))
        top.addWidget(self.search)
        top.addWidget(self.matches, 1)
        top.addWidget(record)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def _find(self, text: str) -> None:
        self.matches.blockSignals(True)
        self.matches.clear()
        if text.strip():
            for row in elders.list_elders(self.ctx.db, elders.ElderQuery(search=text.strip()), limit=50):
                self.matches.addItem(f"{row['name']}　{row['village']}　{row['id_number']}　{row['status']}", row["id"])
        self.matches.blockSignals(False)
        self._choose()

    def _choose(self) -> None:
        self.show_elder(self.matches.currentData())

    def show_elder(self, elder_id: int | None) -> None:
        from township_desk.models import visits

        self.elder_id = elder_id
        rows = []
        if elder_id is not None:
            for visit in visits.visit_history(self.ctx.db, elder_id):
                row = dict(visit)
                row["findings"] = visits.proposed_hazard(visit) or ""
                row["photos"] = f"{len(visit.get('photos') or [])} 张" if visit.get("photos") else ""
                rows.append(row)
        self.model.set_rows(rows)

    def record_visit(self) -> None:
        if self.elder_id is None:
            QMessageBox.information(self, "登记巡访", "请先选择一位老人。")
            return
        from township_desk.ui.visit_dialog import VisitDialog

        if VisitDialog(self.ctx, self.elder_id, self).exec():
            self.show_elder(self.elder_id)

    def refresh(self) -> None:
        self.show_elder(self.elder_id)


class WorkloadTab(QWidget):
    """Each visitor: whom they visit and how many of them are overdue."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.model = RowsModel([("name", "巡访责任人"), ("role", "类别"), ("phone", "电话"), ("village", "村（社区）"),
                                ("elders", "负责老人数"), ("key_elders", "其中重点"), ("overdue", "逾期未上门"),
                                ("home_visits_month", "本月上门次数"), ("remote_visits_month", "本月电话视频次数")],
                               color=lambda r: "#c9302c" if r.get("overdue") else None)
        self.table = make_table(self.model)
        self.table.doubleClicked.connect(self._show_visitor)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("双击一位巡访责任人，可在“逾期清单”中只看他负责的老人。"))
        layout.addWidget(self.table)
        self.on_visitor = None

    def refresh(self) -> None:
        from township_desk.models import visits

        self.model.set_rows(visits.visitor_workload(self.ctx.db, dt.date.today()))

    def _show_visitor(self, index) -> None:
        row = self.model.row(index.row())
        if self.on_visitor:
            self.on_visitor(row.get("visitor_id") or row.get("id"))


class HazardsTab(QWidget):
    """Hazards found on visits: open ones first; a double-click records the follow-up."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.only_open = QCheckBox("只看未处置")
        self.only_open.setChecked(True)
        self.only_open.toggled.connect(self.refresh)
        self.model = RowsModel([("village", "村（社区）"), ("name", "姓名"), ("found_on", "发现日期"),
                                ("description", "发现的问题"), ("supporter_told_on", "通报赡养人"),
                                ("reported_on", "报告乡镇"), ("resolved_on", "处置日期"), ("resolution", "处置情况")],
                               color=lambda r: "#c9302c" if not r.get("resolved_on") else None)
        self.table = make_table(self.model)
        self.table.doubleClicked.connect(self.follow_up)
        button = QPushButton("跟进处置")
        button.clicked.connect(lambda: self.follow_up(self.table.currentIndex()))
        top = QHBoxLayout()
        top.addWidget(self.only_open)
        top.addStretch(1)
        top.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table)

    def refresh(self) -> None:
        from township_desk.models import hazards

        self.model.set_rows(hazards.list_hazards(self.ctx.db, only_open=self.only_open.isChecked()))

    def follow_up(self, index) -> None:
        if not index.isValid():
            return
        row = self.model.row(index.row())
        from township_desk.ui.hazard_dialog import HazardDialog

        if HazardDialog(self.ctx, row["elder_id"], self, hazard_id=row["id"]).exec():
            self.refresh()


class VisitsPage(QWidget):
    """The 巡访 page; ``apply_filters`` takes view (overdue/unvisited/hazards/history/workload/campaigns),
    kind (home/remote), elder_id."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.tabs = QTabWidget()
        self.overdue = OverdueTab(ctx)
        self.unvisited = UnvisitedTab(ctx)
        self.history = HistoryTab(ctx)
        self.workload = WorkloadTab(ctx)
        self.hazards = HazardsTab(ctx)
        self.views = {"overdue": self.overdue, "unvisited": self.unvisited, "history": self.history,
                      "workload": self.workload, "hazards": self.hazards}
        self.tabs.addTab(self.overdue, "逾期清单")
        self.tabs.addTab(self.unvisited, "本月未上门")
        self.tabs.addTab(self.history, "巡访记录")
        self.tabs.addTab(self.workload, "责任人工作量")
        self.tabs.addTab(self.hazards, "风险隐患")
        try:
            from township_desk.ui.campaigns_tab import CampaignsTab

            self.campaigns = CampaignsTab(ctx)
            self.views["campaigns"] = self.campaigns
            self.tabs.addTab(self.campaigns, "节日和极端天气巡访")
        except ModuleNotFoundError as exc:
            if exc.name != "township_desk.ui.campaigns_tab":
                raise
        from township_desk.ui.charts_tab import ChartsTab

        self.charts = ChartsTab(ctx)
        self.views["charts"] = self.charts
        self.tabs.addTab(self.charts, "统计图表")
        self.workload.on_visitor = self._overdue_for_visitor
        self.tabs.currentChanged.connect(lambda _i: self.refresh())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)

    def refresh(self) -> None:
        widget = self.tabs.currentWidget()
        if hasattr(widget, "refresh"):
            widget.refresh()

    def apply_filters(self, filters: dict) -> None:
        view = self.views.get(filters.get("view", "overdue"), self.overdue)
        if view is self.overdue and "kind" in filters:
            self.overdue.set_kind(filters["kind"])
        if view is self.history and filters.get("elder_id"):
            self.history.show_elder(filters["elder_id"])
        self.tabs.setCurrentWidget(view)
        self.refresh()

    def _overdue_for_visitor(self, visitor_id) -> None:
        index = self.overdue.visitor.findData(visitor_id)
        if index >= 0:
            self.overdue.visitor.setCurrentIndex(index)
        self.overdue.set_kind(None)
        self.tabs.setCurrentWidget(self.overdue)
