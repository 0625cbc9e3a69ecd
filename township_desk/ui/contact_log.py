"""快速登记电话/视频: phone and video calls for several elders in one go (``models.contacts.record_contacts``).

The clerk ticks the elders called (the list shows each one's calls so far this week against the plan, 本周已联系
n/m), says the day, 电话 or 视频, whether the call got through, a note and, if the call revealed one, a problem that
opens a hazard. 保存 records them all in one transaction; the dialog stays open for the next batch with the
progress updated, so the clerk sees each call counted. Opened for a shortfall row of last week, it says that only
a call dated in that week clears that week, and offers the date.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import contacts, elders, schedule, villages, visitors
from township_desk.models.errors import UserError
from township_desk.ui.widgets import date_edit, pydate, qdate, refill_choices, size_for_screen

OWN_VISITOR = "各老人的巡访责任人"
LIST_LIMIT = 1000  # more than this is narrowed with the filters first
COLUMNS = ("登记", "姓名", "村（社区）", "巡访类别", "老人电话", "巡访责任人", "本周已联系")
GREEN = "#2e7d32"
RED = "#c62828"


class ContactLogDialog(QDialog):
    """Record calls for the elders ticked. ``elder_ids``: ticked at the start (and the list shows only them until
    the clerk unticks 只显示选定的老人). ``shortfall_week`` (Monday, Sunday): opened for last week's shortfall."""

    def __init__(self, ctx, elder_ids: list[int] | None = None, parent: QWidget | None = None, *,
                 today: dt.date | None = None, mode: str = "电话",
                 shortfall_week: tuple[dt.date, dt.date] | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.today = today or ctx.today()
        self.ticked: set[int] = set(elder_ids or [])
        self.given: list[int] = list(dict.fromkeys(elder_ids or []))
        self.saved_count = 0
        self.shortfall_week = shortfall_week
        self.setWindowTitle("快速登记电话/视频巡访")
        size_for_screen(self, 980, 700)

        # ---- the elders
        self.village = QComboBox()
        self.visitor_filter = QComboBox()
        self.tier = QComboBox()
        for label, value in (("全部", None), ("重点", "重点"), ("一般", "一般")):
            self.tier.addItem(label, value)
        self.only_ticked = QCheckBox("只显示选定的老人")
        self.only_ticked.setChecked(bool(self.given))
        self.only_ticked.setVisible(bool(self.given))
        self.only_short = QCheckBox("只看本周未达标")
        refill_choices(self.village, [(v["name"], v["name"]) for v in villages.list_villages(ctx.db)])
        refill_choices(self.visitor_filter, [(v["name"], v["id"]) for v in visitors.list_visitors(ctx.db)])
        filters = QHBoxLayout()
        for label, widget in (("村（社区）", self.village), ("巡访责任人", self.visitor_filter),
                              ("巡访类别", self.tier)):
            filters.addWidget(QLabel(label))
            filters.addWidget(widget)
        filters.addWidget(self.only_short)
        filters.addWidget(self.only_ticked)
        filters.addStretch(1)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemChanged.connect(self._tick_changed)
        self.table.cellDoubleClicked.connect(self._toggle_row)
        self.list_note = QLabel()
        tick_all = QPushButton("全选")
        tick_all.clicked.connect(lambda: self._tick_all(True))
        tick_none = QPushButton("全不选")
        tick_none.clicked.connect(lambda: self._tick_all(False))
        below = QHBoxLayout()
        below.addWidget(self.list_note, 1)
        below.addWidget(tick_all)
        below.addWidget(tick_none)

        # ---- the call
        self.date = date_edit(self.today, latest=self.today)
        self.date.dateChanged.connect(lambda _d: self._explain_date())
        self.modes = QButtonGroup(self)
        mode_row = QHBoxLayout()
        for text in contacts.MODES:
            button = QRadioButton(text)
            button.setChecked(text == mode)
            self.modes.addButton(button)
            mode_row.addWidget(button)
        mode_row.addStretch(1)
        self.reached = QRadioButton("接通")
        self.reached.setChecked(True)
        self.not_reached = QRadioButton("未接通（不计入巡访次数）")
        reached_row = QHBoxLayout()
        reached_row.addWidget(self.reached)
        reached_row.addWidget(self.not_reached)
        reached_row.addStretch(1)
        self.caller = QComboBox()
        self.caller.setEditable(True)
        self.caller.addItem(OWN_VISITOR, None)
        for v in visitors.list_visitors(ctx.db):
            self.caller.addItem(v["name"], v["id"])
        self.caller.setToolTip("由谁联系：默认记为每位老人自己的巡访责任人；也可选一位或直接输入姓名（如民政专干）")
        self.note = QLineEdit()
        self.note.setPlaceholderText("例如：身体尚好，已提醒天冷注意取暖")
        self.has_problem = QCheckBox("发现问题，登记为风险隐患：")
        self.problem = QLineEdit()
        self.problem.setPlaceholderText("发现的问题（每位勾选的老人各登记一项风险隐患）")
        self.problem.setEnabled(False)
        self.has_problem.toggled.connect(self.problem.setEnabled)
        problem_row = QHBoxLayout()
        problem_row.addWidget(self.has_problem)
        problem_row.addWidget(self.problem, 1)
        self.date_note = QLabel()
        self.date_note.setWordWrap(True)
        self.week_button = QPushButton()
        self.week_button.clicked.connect(self._date_in_shortfall_week)
        self.week_button.setVisible(shortfall_week is not None)
        date_row = QHBoxLayout()
        date_row.addWidget(self.date)
        date_row.addWidget(self.week_button)
        date_row.addWidget(self.date_note, 1)
        form = QFormLayout()
        form.addRow("联系日期", date_row)
        form.addRow("方式", mode_row)
        form.addRow("结果", reached_row)
        form.addRow("联系人", self.caller)
        form.addRow("情况说明", self.note)
        form.addRow("", problem_row)
        if shortfall_week is not None:
            monday, sunday = shortfall_week
            self.week_button.setText(f"记到上周（{sunday.isoformat()}）")

        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QDialogButtonBox()
        self.save_button = buttons.addButton("保存", QDialogButtonBox.ButtonRole.AcceptRole)
        self.close_button = buttons.addButton("关闭", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(below)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        for combo in (self.village, self.visitor_filter, self.tier):
            combo.currentIndexChanged.connect(lambda _i: self.reload())
        for check in (self.only_ticked, self.only_short):
            check.toggled.connect(lambda _c: self.reload())
        self.reload()
        self._explain_date()

    # ---------------------------------------------------------------- the list

    def _candidates(self) -> list[dict]:
        if self.only_ticked.isChecked():
            rows = [elders.get_elder(self.ctx.db, e) for e in self.given]
            return [{"id": r["id"], "name": r["name"], "village": r["village"], "tier": r["tier"],
                     "phone": r.get("phone"), "visitor": r.get("visitor")} for r in rows]
        query = elders.ElderQuery(village=self.village.currentData(), visitor_id=self.visitor_filter.currentData(),
                                  tier=self.tier.currentData(), status="在册")
        return elders.list_elders(self.ctx.db, query, limit=LIST_LIMIT + 1)

    def reload(self) -> None:
        """Fill the list again (after a filter changed or a save), keeping what is ticked."""
        rows = self._candidates()
        more = len(rows) > LIST_LIMIT
        rows = rows[:LIST_LIMIT]
        progress = schedule.week_progress(self.ctx.db, self.today, [r["id"] for r in rows])
        if self.only_short.isChecked():
            rows = [r for r in rows if r["id"] in self.ticked or not progress[r["id"]].met]
        self.table.blockSignals(True)
        self.table.setRowCount(len(rows))
        for n, row in enumerate(rows):
            tick = QTableWidgetItem()
            tick.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            tick.setCheckState(Qt.CheckState.Checked if row["id"] in self.ticked else Qt.CheckState.Unchecked)
            tick.setData(Qt.ItemDataRole.UserRole, row["id"])
            self.table.setItem(n, 0, tick)
            done = progress.get(row["id"])
            for c, value in enumerate((row["name"], row["village"], row["tier"], row.get("phone") or "",
                                       row.get("visitor") or "未指定", done.text if done else ""), start=1):
                item = QTableWidgetItem(str(value))
                if c == 6 and done:
                    item.setForeground(Qt.GlobalColor.darkGreen if done.met else Qt.GlobalColor.red)
                self.table.setItem(n, c, item)
        self.table.blockSignals(False)
        monday, _day = schedule.current_week(self.today)
        note = f"本周（{monday.isoformat()} 起）已联系次数 / 应联系次数；双击一行可勾选或取消。"
        if more:
            note = f"名单超过 {LIST_LIMIT} 人，只列出前 {LIST_LIMIT} 人，请用上面的筛选缩小范围。" + note
        self.list_note.setText(note)
        self._count_ticked()

    def progress_texts(self) -> dict[str, str]:
        """Name → the 本周已联系 text shown (for tests and the screen)."""
        return {self.table.item(n, 1).text(): self.table.item(n, 6).text() for n in range(self.table.rowCount())}

    def _tick_changed(self, item: QTableWidgetItem) -> None:
        if item.column() != 0:
            return
        elder_id = item.data(Qt.ItemDataRole.UserRole)
        if item.checkState() == Qt.CheckState.Checked:
            self.ticked.add(elder_id)
        else:
            self.ticked.discard(elder_id)
        self._count_ticked()

    def _toggle_row(self, row: int, _column: int) -> None:
        item = self.table.item(row, 0)
        checked = item.checkState() == Qt.CheckState.Checked
        item.setCheckState(Qt.CheckState.Unchecked if checked else Qt.CheckState.Checked)

    def _tick_all(self, on: bool) -> None:
        for n in range(self.table.rowCount()):
            self.table.item(n, 0).setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)

    def tick(self, elder_ids: list[int]) -> None:
        """Tick these elders (those listed; the others are ticked for the next save too)."""
        self.ticked.update(elder_ids)
        self.reload()

    def _count_ticked(self) -> None:
        self.save_button.setText(f"保存（{len(self.ticked)} 人）" if self.ticked else "保存")
        self.save_button.setEnabled(bool(self.ticked))

    # ---------------------------------------------------------------- the date

    def _explain_date(self) -> None:
        day = pydate(self.date.date())
        monday, sunday = day - dt.timedelta(days=day.isoweekday() - 1), day + dt.timedelta(days=7 - day.isoweekday())
        this_monday, _today = schedule.current_week(self.today)
        if monday == this_monday:
            text = "计入本周（看“本周已联系”一列）"
        else:
            text = f"计入 {monday.isoformat()} 至 {sunday.isoformat()} 这一周"
        if self.shortfall_week is not None:
            week_monday, week_sunday = self.shortfall_week
            if not week_monday <= day <= week_sunday:
                text += (f"。上周（{week_monday.isoformat()} 至 {week_sunday.isoformat()}）的不足只能由日期在该周内的"
                         "联系补上；如果这次联系是上周做的，请点左边的按钮改日期")
        self.date_note.setText(text)

    def _date_in_shortfall_week(self) -> None:
        if self.shortfall_week is not None:
            self.date.setDate(qdate(min(self.shortfall_week[1], self.today)))

    # ---------------------------------------------------------------- saving

    def mode(self) -> str:
        checked = self.modes.checkedButton()
        return checked.text() if checked else "电话"

    def _caller(self) -> tuple[int | None, str | None]:
        text = self.caller.currentText().strip()
        index = self.caller.findText(text)
        if index >= 0:
            data = self.caller.itemData(index)
            return (data, None) if data is not None else (None, None)
        return None, text or None

    def save(self) -> bool:
        """Record the calls of every ticked elder; the list then shows the new progress. True when saved."""
        visitor_id, visitor_name = self._caller()
        problem = self.problem.text() if self.has_problem.isChecked() else None
        if self.has_problem.isChecked() and not (problem or "").strip():
            QMessageBox.warning(self, "快速登记", "已勾选“发现问题”，请写明发现的问题。")
            return False
        try:
            saved = contacts.record_contacts(self.ctx.db, sorted(self.ticked), date=pydate(self.date.date()),
                                             mode=self.mode(), reached=self.reached.isChecked(),
                                             note=self.note.text(), visitor_id=visitor_id,
                                             visitor_name=visitor_name, problem=problem, today=self.today)
        except UserError as exc:
            QMessageBox.warning(self, "快速登记", str(exc))
            return False
        count = len(saved.visit_ids) + len(saved.unreached)
        self.saved_count += count
        parts = [f"已登记 {len(saved.visit_ids)} 人的{self.mode()}巡访"]
        if saved.unreached:
            parts = [f"已记录 {len(saved.unreached)} 人未接通（不计入巡访次数）"]
        if saved.hazard_ids:
            parts.append(f"登记风险隐患 {len(saved.hazard_ids)} 项")
        self.message.setText("，".join(parts) + "。可以继续勾选下一批，或点“关闭”。")
        self.message.setStyleSheet(f"color: {GREEN}")
        self.ctx.announce_writes()  # the visits, and the hazards opened
        self.ticked.clear()  # the elders just recorded stay listed, unticked, with their new progress
        self.reload()
        self.note.clear()
        self.has_problem.setChecked(False)
        self.problem.clear()
        return True

    def reject(self) -> None:
        """关闭: Accepted when anything was recorded (the caller refreshes), else Rejected."""
        if self.saved_count:
            self.accept()
        else:
            super().reject()
