"""节日和极端天气巡访 (a tab of the 巡访 page): the campaigns with how many of their elders have been visited;
the chosen campaign's elders, who visits them and when, 未巡访 in red; 登记巡访 under the campaign; planning a
new one (春节 / 重阳节 dates from the lunar calendar, the group chosen by village, tier, flags and risk grade).

Every rule is ``models.campaigns``: this module only shows what it returns.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import campaigns, elders, villages
from township_desk.models.campaigns import GroupFilter
from township_desk.models.errors import StaleRecord, UserError
from township_desk.ui import stale
from township_desk.ui.rows_model import RowsModel
from township_desk.ui.widgets import date_edit, ok_cancel_buttons, pydate, qdate, selected_row, table_view

ALL = "全部"
RED = "#c9302c"
CAMPAIGN_COLUMNS = [("name", "活动名称"), ("progress", "已巡访/应巡访"), ("kind", "类型"), ("start_date", "开始日期"),
                    ("end_date", "结束日期")]
ELDER_COLUMNS = [("village", "村（社区）"), ("name", "姓名"), ("tier", "巡访类别"), ("visitor", "巡访责任人"),
                 ("visitor_phone", "责任人电话"), ("visited", "巡访日期"), ("remark", "说明")]
NOT_VISITED = "未巡访"


class GroupPicker(QGroupBox):
    """Which elders 在册: village, 巡访类别, the ledger's flags (all must hold), risk grade, optionally a name."""

    changed = Signal()

    def __init__(self, db, title: str = "巡访对象（只含在册老人）", *, with_search: bool = False,
                 parent: QWidget | None = None):
        super().__init__(title, parent)
        self.village = QComboBox()
        self.village.addItem(ALL, None)
        for village in villages.list_villages(db):
            self.village.addItem(village["name"], village["name"])
        self.tier = QComboBox()
        self.tier.addItem(ALL, None)
        for tier in elders.TIERS:
            self.tier.addItem(tier, tier)
        self.risk_grade = QComboBox()
        self.risk_grade.addItem(ALL, None)
        for grade in campaigns.RISK_GRADES:
            self.risk_grade.addItem(grade if grade == "未评估" else f"{grade}风险", grade)
        self.flags: dict[str, QCheckBox] = {flag: QCheckBox(flag) for flag in elders.FLAGS}
        flags_row = QHBoxLayout()
        for box in self.flags.values():
            flags_row.addWidget(box)
            box.toggled.connect(lambda _checked: self.changed.emit())
        flags_row.addStretch(1)
        form = QFormLayout(self)
        self.search: QLineEdit | None = None
        if with_search:
            self.search = QLineEdit()
            self.search.setPlaceholderText("姓名、拼音首字母或身份证号码（可不填）")
            self.search.textChanged.connect(lambda _t: self.changed.emit())
            form.addRow("老人", self.search)
        form.addRow("村（社区）", self.village)
        form.addRow("巡访类别", self.tier)
        form.addRow("风险等级", self.risk_grade)
        form.addRow("同时符合", flags_row)
        for combo in (self.village, self.tier, self.risk_grade):
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())

    def group(self) -> GroupFilter:
        return GroupFilter(village=self.village.currentData(), tier=self.tier.currentData(),
                           flags=tuple(flag for flag, box in self.flags.items() if box.isChecked()),
                           risk_grade=self.risk_grade.currentData(),
                           search=self.search.text().strip() if self.search else "")


class CampaignDialog(QDialog):
    """新建巡访活动 (``campaign_id=None``: kind, name and dates prefilled, the group with a live count) or
    修改 an existing campaign's name, kind, dates and notes (its elders are changed on the tab)."""

    def __init__(self, ctx, parent: QWidget | None = None, *, campaign_id: int | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = ctx.today()
        self.campaign_id = campaign_id
        self.editing = campaign_id is not None
        self._auto_name = ""  # the name last filled in: replaced while the clerk has not typed their own
        self.setWindowTitle("修改巡访活动" if self.editing else "新建巡访活动")
        self.resize(560, 560 if not self.editing else 360)

        self.kind = QComboBox()
        self.kind.addItems(list(campaigns.KINDS))
        self.weather = QComboBox()
        self.weather.setEditable(True)
        self.weather.addItems(list(campaigns.WEATHER))
        self.year = QSpinBox()
        self.year.setRange(1901, 2099)
        self.year.setValue(self.today.year)
        self.festival = QLabel()
        self.festival.setStyleSheet("color: #555555")
        self.name = QLineEdit()
        self.start = date_edit(self.today)
        self.end = date_edit(self.today)
        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("如：慰问品、注意事项、天气预警内容")
        self.notes.setMaximumHeight(80)
        self.count = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {RED}")
        self.error.setWordWrap(True)

        form = QFormLayout()
        form.addRow("活动类型", self.kind)
        self.weather_label = QLabel("天气类型")
        form.addRow(self.weather_label, self.weather)
        self.year_label = QLabel("节日年份")
        form.addRow(self.year_label, self.year)
        form.addRow("", self.festival)
        form.addRow("活动名称", self.name)
        dates = QHBoxLayout()
        dates.addWidget(self.start)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.end)
        dates.addStretch(1)
        form.addRow("巡访日期", dates)

        self.buttons = ok_cancel_buttons(self, self.save, ok_text="保存" if self.editing else "建立")

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        self.group_picker: GroupPicker | None = None
        self.version: int | None = None  # the row_version shown: the save is checked against it
        if self.editing:
            total = campaigns.campaign_progress(ctx.db, campaign_id)["total"]
            self._show(campaigns.get_campaign(ctx.db, campaign_id))
            self.count.setText(f"巡访对象 {total} 人（在名单下方“添加老人…”“移出活动”中调整）")
            for widget in (self.weather_label, self.weather, self.year_label, self.year, self.festival):
                widget.hide()
            layout.addWidget(self.count)
        else:
            self.group_picker = GroupPicker(ctx.db)
            self.group_picker.changed.connect(self.update_count)
            layout.addWidget(self.group_picker)
            layout.addWidget(self.count)
            self.kind.currentIndexChanged.connect(lambda _i: self._kind_changed())
            self.year.valueChanged.connect(lambda _v: self._fill_defaults())
            self.weather.currentTextChanged.connect(lambda _t: self._fill_name())
            self.start.dateChanged.connect(lambda _d: (self._fill_name(), self.update_count()))
            self._kind_changed()
            self.update_count()
        layout.addWidget(QLabel("备注"))
        layout.addWidget(self.notes)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _show(self, campaign: dict) -> None:
        self.version = campaign["row_version"]
        self.kind.setCurrentText(campaign["kind"])
        self.name.setText(campaign["name"])
        self.start.setDate(qdate(dt.date.fromisoformat(campaign["start_date"])))
        self.end.setDate(qdate(dt.date.fromisoformat(campaign["end_date"])))
        self.notes.setPlainText(campaign["notes"] or "")

    def reload(self) -> None:
        """Show the campaign as stored now (changed elsewhere since the dialog opened); the dialog stays open."""
        try:
            self._show(campaigns.get_campaign(self.ctx.db, self.campaign_id))
        except UserError as exc:  # deleted meanwhile
            self.error.setText(str(exc))
            return
        self.error.setText("已重新载入现在保存的内容，请重新修改后再保存。")

    # ---------------------------------------------------------------- prefilling

    def _is_festival(self) -> bool:
        return self.kind.currentText() in campaigns.FESTIVALS

    def _kind_changed(self) -> None:
        kind = self.kind.currentText()
        festival = self._is_festival()
        for widget in (self.year_label, self.year, self.festival):
            widget.setVisible(festival)
        for widget in (self.weather_label, self.weather):
            widget.setVisible(kind == "极端天气")
        if festival:
            self.year.blockSignals(True)
            self.year.setValue(campaigns.festival_year(kind, self.today))
            self.year.blockSignals(False)
        self._fill_defaults()

    def _fill_defaults(self) -> None:
        """Dates and name for the kind (and festival year); the clerk may change both afterwards."""
        kind = self.kind.currentText()
        year = self.year.value() if self._is_festival() else None
        try:
            start, end = campaigns.default_window(kind, self.today, year)
            self.festival.setText(campaigns.festival_label(kind, year) if year else "")
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.error.clear()
        self.start.setDate(qdate(start))
        self.end.setDate(qdate(end))
        self._fill_name()

    def _fill_name(self) -> None:
        if self.name.text().strip() not in ("", self._auto_name):
            return  # the clerk typed a name of their own: keep it
        kind = self.kind.currentText()
        self._auto_name = campaigns.default_name(kind, pydate(self.start.date()),
                                                 self.year.value() if self._is_festival() else None,
                                                 self.weather.currentText())
        self.name.setText(self._auto_name)

    def group(self) -> GroupFilter:
        return self.group_picker.group() if self.group_picker else GroupFilter()

    def selected_ids(self) -> list[int]:
        # 高龄 is counted at the campaign's first day.
        return campaigns.select_group(self.ctx.db, self.group(), pydate(self.start.date()))

    def update_count(self) -> None:
        if self.group_picker is None:
            return
        try:
            count = len(self.selected_ids())
        except UserError as exc:
            self.count.setText(str(exc))
            return
        self.count.setText(f"将纳入 {count} 位在册老人")
        self.count.setStyleSheet(f"color: {RED}" if count == 0 else "")

    # ---------------------------------------------------------------- saving

    def save(self) -> None:
        terms = {"name": self.name.text(), "kind": self.kind.currentText(), "start": pydate(self.start.date()),
                 "end": pydate(self.end.date()), "notes": self.notes.toPlainText()}
        try:
            if self.editing:
                campaigns.update_campaign(self.ctx.db, self.campaign_id, expected_version=self.version, **terms)
            else:
                self.campaign_id = campaigns.plan_campaign(self.ctx.db, elder_ids=self.selected_ids(), **terms)
        except StaleRecord as exc:
            self.error.setText(str(exc))
            if stale.offer_reload(self, exc):
                self.reload()
            return
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class AddEldersDialog(QDialog):
    """添加老人 to a campaign: the same group choices (or one person by name), with how many are new."""

    def __init__(self, ctx, campaign_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.campaign = campaigns.get_campaign(ctx.db, campaign_id)
        self.members = {r["elder_id"] for r in campaigns.campaign_progress(ctx.db, campaign_id)["rows"]}
        self.added = 0
        self.setWindowTitle(f"添加巡访对象 — {self.campaign['name']}")
        self.picker = GroupPicker(ctx.db, "添加哪些在册老人", with_search=True)
        self.picker.changed.connect(self.update_count)
        self.count = QLabel()
        self.error = QLabel()
        self.error.setStyleSheet(f"color: {RED}")
        self.error.setWordWrap(True)
        self.buttons = ok_cancel_buttons(self, self.save, ok_text="添加")
        layout = QVBoxLayout(self)
        layout.addWidget(self.picker)
        layout.addWidget(self.count)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.update_count()

    def new_ids(self) -> list[int]:
        as_of = dt.date.fromisoformat(self.campaign["start_date"])
        return [i for i in campaigns.select_group(self.ctx.db, self.picker.group(), as_of) if i not in self.members]

    def update_count(self) -> None:
        try:
            count = len(self.new_ids())
        except UserError as exc:
            self.count.setText(str(exc))
            return
        self.count.setText(f"将添加 {count} 位在册老人（已在名单中的不重复添加）")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(count > 0)

    def save(self) -> None:
        try:
            self.added = campaigns.add_elders(self.ctx.db, self.campaign["id"], self.new_ids())
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class CampaignsTab(QWidget):
    """Campaigns on the left, the selected one's elders on the right; ``refresh()`` reloads both."""

    SHOWS = frozenset({"campaigns", "visits", "elders", "villages", "visitors"})  # within the 巡访 page's

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.campaign_id: int | None = None
        self.progress: dict | None = None

        self.campaign_model = RowsModel(CAMPAIGN_COLUMNS, color=self._campaign_colour)
        # newest first; the selection follows the row it shows
        self.campaign_table = table_view(self.campaign_model, sortable=False)
        self.campaign_table.selectionModel().currentRowChanged.connect(lambda *_a: self._campaign_chosen())
        self.new_button = QPushButton("新建巡访活动…")
        self.new_button.clicked.connect(lambda: self.new_campaign())
        self.edit_button = QPushButton("修改…")
        self.edit_button.clicked.connect(self.edit_campaign)
        self.delete_button = QPushButton("删除")
        self.delete_button.clicked.connect(self.delete_campaign)
        self.festivals = QLabel()
        self.festivals.setWordWrap(True)
        self.festivals.setStyleSheet("color: #555555")
        left_buttons = QHBoxLayout()
        left_buttons.addWidget(self.new_button)
        left_buttons.addWidget(self.edit_button)
        left_buttons.addWidget(self.delete_button)
        left_buttons.addStretch(1)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("巡访活动"))
        left_layout.addWidget(self.campaign_table, 1)
        left_layout.addWidget(self.festivals)
        left_layout.addLayout(left_buttons)

        self.summary = QLabel("请在左侧选择或新建一个巡访活动。")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.only_unvisited = QCheckBox("只看未巡访")
        self.only_unvisited.toggled.connect(lambda _c: self._show_elders())
        self.elder_model = RowsModel(ELDER_COLUMNS, color=lambda r: RED if not r.get("visited_on") else None,
                                     sort_keys={"visited": "visited_on"})  # by date; 未巡访 last either way
        self.elder_table = table_view(self.elder_model)
        self.elder_table.doubleClicked.connect(lambda _i: self.record_visit())
        from township_desk.ui.elder_file import install_elder_menu

        install_elder_menu(self.elder_table, ctx, after=self.refresh, today=lambda: self.today,
                           export_title=lambda: (
                               self.progress["campaign"]["name"] + ("（只看未巡访）" if self.only_unvisited.isChecked()
                                                                   else "") if self.progress else "巡访活动"))
        from township_desk.ui.empty_state import show_when_empty

        show_when_empty(self.campaign_table, "还没有巡访活动：春节、重阳节或极端天气前，点击下方“新建巡访活动…”。")
        show_when_empty(self.elder_table, lambda: (
            "在左侧选择或新建一个巡访活动，这里列出要巡访的老人。" if self.campaign_id is None
            else "这个活动的老人都已巡访过（取消“只看未巡访”可看全部）。" if self.only_unvisited.isChecked()
            else "这个活动还没有老人：点击下方“添加老人…”。"))
        self.record_button = QPushButton("登记巡访")
        self.record_button.clicked.connect(self.record_visit)
        self.add_button = QPushButton("添加老人…")
        self.add_button.clicked.connect(self.add_elders)
        self.remove_button = QPushButton("移出活动")
        self.remove_button.clicked.connect(self.remove_elder)
        top = QHBoxLayout()
        top.addWidget(self.only_unvisited)
        top.addStretch(1)
        top.addWidget(self.record_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.add_button)
        bottom.addWidget(self.remove_button)
        bottom.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.summary)
        right_layout.addLayout(top)
        right_layout.addWidget(self.elder_table, 1)
        right_layout.addLayout(bottom)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([480, 720])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

        self.refresh()  # later: the 巡访 page refreshes the tab it shows (``SHOWS``); the tab never listens itself

    @property
    def today(self) -> dt.date:
        return self.ctx.today()

    # ---------------------------------------------------------------- showing

    def _campaign_colour(self, row: dict) -> str | None:
        """Red: the campaign has ended and someone was never visited."""
        if row["end_date"] < self.today.isoformat() and row["visited"] < row["total"]:
            return RED
        return None

    def refresh(self) -> None:
        """Reload the campaigns (keeping the one chosen, else the newest) and its elders. The 巡访 page calls it
        while the tab is shown and when it is shown again, so a visit saved elsewhere does not re-count every
        campaign behind the clerk's back."""
        rows = campaigns.list_campaigns(self.ctx.db)
        for row in rows:
            row["progress"] = f"{row['visited']}/{row['total']}"
        keep = self.campaign_id
        self.campaign_table.selectionModel().blockSignals(True)
        self.campaign_model.set_rows(rows)
        self.campaign_table.selectionModel().blockSignals(False)
        ids = [r["id"] for r in self.campaign_model.rows]
        self.festivals.setText("即将到来：" + "，".join(
            f"{kind} {day.isoformat()}" for kind, day in campaigns.next_festivals(self.today)))
        self.select_campaign(keep if keep in ids else (ids[0] if ids else None))

    def select_campaign(self, campaign_id: int | None) -> None:
        self.campaign_id = campaign_id
        for number, row in enumerate(self.campaign_model.rows):
            if row["id"] == campaign_id:
                self.campaign_table.selectionModel().blockSignals(True)
                self.campaign_table.selectRow(number)
                self.campaign_table.selectionModel().blockSignals(False)
                break
        else:
            self.campaign_table.clearSelection()
        self._load_progress()

    def _campaign_chosen(self) -> None:
        index = self.campaign_table.currentIndex()
        self.campaign_id = self.campaign_model.row(index.row())["id"] if index.isValid() else None
        self._load_progress()

    def _load_progress(self) -> None:
        self.progress = campaigns.campaign_progress(self.ctx.db, self.campaign_id) if self.campaign_id else None
        for button in (self.edit_button, self.delete_button, self.record_button, self.add_button,
                       self.remove_button):
            button.setEnabled(self.progress is not None)
        if self.progress is None:
            self.summary.setText("请在左侧选择或新建一个巡访活动。" if not self.campaign_model.rows
                                 else "请在左侧选择一个巡访活动。")
        else:
            c = self.progress["campaign"]
            visited, total = self.progress["visited"], self.progress["total"]
            rate = f"{visited * 100 / total:.1f}%" if total else "—"
            text = (f"{c['name']}（{c['kind']}，{c['start_date']} 至 {c['end_date']}）\n"
                    f"已巡访 {visited}/{total} 人，完成 {rate}，尚未巡访 {total - visited} 人。"
                    "活动期间的上门巡访都算数，电话、视频联系不算。")
            if c.get("notes"):
                text += f"\n备注：{c['notes']}"
            self.summary.setText(text)
        self._show_elders()

    @staticmethod
    def _display(row: dict) -> dict:
        shown = dict(row)
        shown["visited"] = row["visited_on"] or NOT_VISITED
        remarks = []
        if row["visited_on"] and not row["recorded_under"]:
            remarks.append("活动期间的上门巡访")
        if not row["visited_on"] and row.get("remote_on"):
            remarks.append(f"仅电话/视频联系（{row['remote_on']}），尚需入户")
        if row["status"] != "在册":
            remarks.append(f"现为{row['status']}")
        shown["remark"] = "；".join(remarks)
        return shown

    def _show_elders(self) -> None:
        rows = self.progress["rows"] if self.progress else []
        if self.only_unvisited.isChecked():
            rows = [r for r in rows if not r["visited_on"]]
        self.elder_model.set_rows([self._display(r) for r in rows])

    def shown_elders(self) -> list[dict]:
        return list(self.elder_model.rows)

    # ---------------------------------------------------------------- actions

    def new_campaign(self) -> int | None:
        dialog = CampaignDialog(self.ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        self.campaign_id = dialog.campaign_id
        self.ctx.announce_writes()  # the 巡访 page reloads the tab it shows: this one
        return dialog.campaign_id

    def edit_campaign(self) -> None:
        if self.campaign_id is None:
            return
        dialog = CampaignDialog(self.ctx, self, campaign_id=self.campaign_id)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.ctx.announce_writes()

    def delete_campaign(self) -> None:
        if self.progress is None:
            return
        name = self.progress["campaign"]["name"]
        answer = QMessageBox.question(self, "删除巡访活动", f"确定删除“{name}”吗？\n（已登记过巡访的活动不能删除）",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            campaigns.delete_campaign(self.ctx.db, self.campaign_id,
                                      expected_version=self.progress["campaign"]["row_version"])
        except UserError as exc:
            QMessageBox.warning(self, "删除巡访活动", str(exc))
            if isinstance(exc, StaleRecord):  # changed elsewhere since it was shown: show it as it is now
                self.refresh()
            return
        self.campaign_id = None
        self.ctx.announce_writes()

    def _selected_elder(self, title: str) -> dict | None:
        row = selected_row(self.elder_table)
        if row is None:
            QMessageBox.information(self, title, "请先在名单中选中一位老人。")
        return row

    def record_visit(self) -> None:
        """登记巡访 under the campaign (a home visit); the list shows the date afterwards."""
        if self.campaign_id is None:
            return
        row = self._selected_elder("登记巡访")
        if row is None:
            return
        from township_desk.ui.visit_dialog import VisitDialog

        dialog = VisitDialog(self.ctx, row["elder_id"], self, campaign_id=self.campaign_id, mode="上门")
        if dialog.exec():
            self.refresh()

    def add_elders(self) -> None:
        if self.campaign_id is None:
            return
        dialog = AddEldersDialog(self.ctx, self.campaign_id, self)
        if dialog.exec() == QDialog.DialogCode.Accepted and dialog.added:
            self.ctx.announce_writes()

    def remove_elder(self) -> None:
        if self.campaign_id is None:
            return
        row = self._selected_elder("移出活动")
        if row is None:
            return
        answer = QMessageBox.question(self, "移出活动", f"把 {row['name']}（{row['village']}）移出“"
                                      f"{self.progress['campaign']['name']}”吗？",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            campaigns.remove_elder(self.ctx.db, self.campaign_id, row["elder_id"])
        except UserError as exc:
            QMessageBox.warning(self, "移出活动", str(exc))
            return
        self.ctx.announce_writes()
