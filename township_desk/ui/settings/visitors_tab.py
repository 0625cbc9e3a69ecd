"""巡访责任人: the visitors with how many elders each looks after; add, edit, stop/restart; and assigning a
village's elders to one visitor in one go."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
)

from township_desk.models import villages, visitors
from township_desk.models.errors import UserError
from township_desk.models.names import normalise_name
from township_desk.ui.settings import messages
from township_desk.ui.settings.dialogs import VisitorDialog
from township_desk.ui.settings.list_tab import ListTab
from township_desk.ui.settings.messages import OK_STYLE, WARNING_STYLE, say


class VisitorsTab(ListTab):
    title = "巡访责任人"
    COLUMNS = [("name", "姓名"), ("role", "类别"), ("phone", "联系电话"), ("organisation", "工作单位"),
               ("village", "所属村（社区）"), ("state", "状态"), ("elder_count", "负责在册老人（人）")]
    STRETCH_COLUMN = 3
    DIALOG = VisitorDialog
    PICK_FIRST = "请先在列表中选中一位巡访责任人。"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.preview_rows: list[dict] = []
        self.visitor_names: dict[int, str] = {}
        self.refresh()

    @staticmethod
    def row_colour(row: dict) -> str | None:
        return None if row.get("active") else "#888888"

    def header(self) -> QHBoxLayout:
        top = QHBoxLayout()
        self.show_stopped = QCheckBox("显示已停用的")
        self.show_stopped.toggled.connect(lambda _c: self.refresh())
        top.addWidget(self.show_stopped)
        top.addStretch(1)
        return top

    def more_buttons(self) -> tuple[QPushButton, ...]:
        self.active_button = QPushButton("停用")
        self.active_button.clicked.connect(self.toggle_active)
        return (self.active_button,)

    def build_below(self, layout: QVBoxLayout) -> None:
        batch = QGroupBox("批量分配：把一个村（社区）的老人交给一位巡访责任人")
        grid = QGridLayout(batch)
        self.assign_village = QComboBox()
        self.only_unassigned = QCheckBox("只分配还没有巡访责任人的老人")
        self.only_unassigned.setChecked(True)
        self.assign_visitor = QComboBox()
        self.assign_button = QPushButton("分配")
        self.preview_label = QLabel("")
        self.preview_label.setWordWrap(True)
        grid.addWidget(QLabel("村（社区）"), 0, 0)
        grid.addWidget(self.assign_village, 0, 1)
        grid.addWidget(self.only_unassigned, 0, 2)
        grid.addWidget(QLabel("巡访责任人"), 1, 0)
        grid.addWidget(self.assign_visitor, 1, 1)
        grid.addWidget(self.assign_button, 1, 2)
        grid.addWidget(self.preview_label, 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        layout.addWidget(batch)
        self.assign_village.currentIndexChanged.connect(lambda _i: self._village_chosen())
        self.assign_visitor.currentIndexChanged.connect(lambda _i: self.update_preview())
        self.only_unassigned.toggled.connect(lambda _c: self.update_preview())
        self.assign_button.clicked.connect(self.assign)

    # ---------------------------------------------------------------- list

    def rows(self) -> list[dict]:
        rows = visitors.list_visitors(self.ctx.db, active_only=not self.show_stopped.isChecked())
        for r in rows:
            r["state"] = "在岗" if r["active"] else "已停用"
        return rows

    def empty_text(self) -> str:
        if visitors.list_visitors(self.ctx.db, active_only=False):
            return "没有在岗的巡访责任人：点击下方“新增…”添加，或勾选“显示已停用的”。"
        return "还没有巡访责任人：点击下方“新增…”添加，再用“批量分配”把老人交给他们。"

    def count_text(self, rows: list[dict]) -> str:
        active = sum(1 for r in rows if r["active"])
        return f"在岗 {active} 人" + (f"，已停用 {len(rows) - active} 人" if len(rows) > active else "")

    def refresh(self) -> None:
        super().refresh()
        self._fill_assignment_choices()

    def update_buttons(self) -> None:
        super().update_buttons()
        row = self.selected()
        self.active_button.setEnabled(row is not None)
        self.active_button.setText("重新启用" if row is not None and not row["active"] else "停用")

    def add_visitor(self) -> int | None:
        return self.add()

    def after_edit(self, dialog: VisitorDialog) -> None:
        name = normalise_name(dialog.name.text())
        if dialog.warning:
            say(self.message, f"已保存“{name}”。注意：{dialog.warning}", WARNING_STYLE)
        else:
            say(self.message, f"已保存“{name}”。", OK_STYLE)

    def toggle_active(self) -> bool:
        """停用 (asking first when elders are still assigned) or 重新启用 the selected visitor."""
        row = self.selected()
        if row is None:
            return False
        stopping = bool(row["active"])
        if stopping and row["elder_count"] and not messages.confirm(
                self, "停用巡访责任人",
                f"“{row['name']}”还负责 {row['elder_count']} 位在册老人。停用后请在下方“批量分配”或台账中"
                "把他们交给其他巡访责任人。确定停用吗？"):
            return False
        data = {k: row.get(k) for k in ("name", "phone", "role", "organisation", "village_id")}
        data["active"] = not stopping
        try:
            visitors.save_visitor(self.ctx.db, data, row["id"], expected_version=row.get("row_version"))
        except UserError as exc:  # StaleRecord too: the list is re-read, the clerk sees the change and decides again
            messages.inform(self, "未能保存", str(exc), warning=True)
            self.refresh()
            return False
        self.ctx.announce_writes()
        self.refresh()
        say(self.message, f"已{'停用' if stopping else '重新启用'}“{row['name']}”。", OK_STYLE)
        return True

    # ---------------------------------------------------------------- batch assignment

    def _fill_assignment_choices(self) -> None:
        village_id = self.assign_village.currentData()
        visitor_id = self.assign_visitor.currentData()
        for combo in (self.assign_village, self.assign_visitor):
            combo.blockSignals(True)
            combo.clear()
        for village in villages.list_villages(self.ctx.db):
            self.assign_village.addItem(village["name"], village["id"])
        self.visitor_names = {}
        for person in visitors.list_visitors(self.ctx.db, active_only=True):
            self.visitor_names[person["id"]] = person["name"]
            where = "，".join(x for x in (person.get("village"), person.get("phone")) if x)
            self.assign_visitor.addItem(f"{person['name']}（{where}）" if where else person["name"], person["id"])
        self.assign_village.setCurrentIndex(max(self.assign_village.findData(village_id), 0))
        self.assign_visitor.setCurrentIndex(max(self.assign_visitor.findData(visitor_id), 0))
        for combo in (self.assign_village, self.assign_visitor):
            combo.blockSignals(False)
        if visitor_id is None:
            self._village_chosen()  # first fill: propose someone of the village shown
        else:
            self.update_preview()

    def _village_chosen(self) -> None:
        """Propose a visitor of the chosen village when the one chosen belongs elsewhere."""
        village_id = self.assign_village.currentData()
        people = visitors.list_visitors(self.ctx.db, active_only=True)
        current = next((p for p in people if p["id"] == self.assign_visitor.currentData()), None)
        if current is None or current.get("village_id") != village_id:
            local = next((p for p in people if p.get("village_id") == village_id), None)
            if local is not None:
                self.assign_visitor.blockSignals(True)
                self.assign_visitor.setCurrentIndex(self.assign_visitor.findData(local["id"]))
                self.assign_visitor.blockSignals(False)
        self.update_preview()

    def update_preview(self) -> None:
        """Say how many elders the assignment would give to whom, before anything is written."""
        village_id = self.assign_village.currentData()
        visitor_id = self.assign_visitor.currentData()
        if village_id is None or visitor_id is None:
            self.preview_rows = []
            self.preview_label.setText("请先新增村（社区）和巡访责任人。" if village_id is None else "请先新增巡访责任人。")
            self.assign_button.setEnabled(False)
            return
        rows = visitors.elders_for_assignment(self.ctx.db, village_id, only_unassigned=self.only_unassigned.isChecked())
        self.preview_rows = [r for r in rows if r["visitor_id"] != visitor_id]
        village = self.assign_village.currentText()
        person = self.visitor_names.get(visitor_id, "")
        if not self.preview_rows:
            self.preview_label.setText(f"{village}的老人（在册、暂离）都已有巡访责任人。" if self.only_unassigned.isChecked()
                                       else f"{village}的老人（在册、暂离）都已由{person}负责。")
            self.assign_button.setEnabled(False)
            return
        others = sum(1 for r in self.preview_rows if r["visitor_id"] is not None)
        text = f"将把{village}的 {len(self.preview_rows)} 位老人（在册、暂离）分配给{person}"
        if others:
            text += f"，其中 {others} 位原由其他巡访责任人负责"
        self.preview_label.setText(text + "。")
        self.assign_button.setEnabled(True)

    def assign(self) -> int:
        """Do the previewed assignment in one transaction (one audit entry per elder); returns how many changed."""
        self.update_preview()
        if not self.preview_rows:
            return 0
        person = self.visitor_names.get(self.assign_visitor.currentData(), "")
        others = [r for r in self.preview_rows if r["visitor_id"] is not None]
        if others and not messages.confirm(self, "批量分配", f"其中 {len(others)} 位老人原由其他巡访责任人负责"
                                  f"（如 {others[0]['name']}：{others[0]['visitor']}），确定都改为{person}吗？"):
            return 0
        try:
            changed = visitors.assign_elders(self.ctx.db, self.assign_visitor.currentData(),
                                    [r["id"] for r in self.preview_rows])
        except UserError as exc:
            messages.inform(self, "未能分配", str(exc), warning=True)
            return 0
        self.ctx.announce_writes()
        self.refresh()
        say(self.message, f"已把 {changed} 位老人分配给{person}。", OK_STYLE)
        return changed
