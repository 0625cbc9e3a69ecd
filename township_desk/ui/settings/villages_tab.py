"""村（社区）: the villages with their 在册 counts; add, edit, delete one added by mistake."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton, QVBoxLayout

from township_desk.models import villages
from township_desk.models.errors import UserError
from township_desk.ui.settings import messages
from township_desk.ui.settings.dialogs import VillageDialog
from township_desk.ui.settings.list_tab import ListTab
from township_desk.ui.settings.messages import note


class VillagesTab(ListTab):
    title = "村（社区）"
    COLUMNS = [("name", "村（社区）"), ("committee", "村民委员会名称"), ("staff_name", "村委会派出工作人员"),
               ("phone", "联系电话"), ("sort_order", "排列顺序"), ("on_ledger", "在册（人）"),
               ("visitor_count", "巡访责任人（人）")]
    DIALOG = VillageDialog
    PICK_FIRST = "请先在列表中选中一个村（社区）。"

    def __init__(self, ctx, parent=None):
        super().__init__(ctx, parent)
        self.refresh()

    def rows(self) -> list[dict]:
        return villages.villages_with_counts(self.ctx.db)

    def empty_text(self) -> str:
        return "还没有村（社区）：点击下方“新增…”逐个添加；导入台账时，新出现的村名也会列出来请您确认。"

    def count_text(self, rows: list[dict]) -> str:
        return f"共 {len(rows)} 个村（社区），在册老人 {sum(r['on_ledger'] for r in rows)} 人"

    def more_buttons(self) -> tuple[QPushButton, ...]:
        self.delete_button = QPushButton("删除")
        self.delete_button.clicked.connect(self.delete_selected)
        return (self.delete_button,)

    def build_below(self, layout: QVBoxLayout) -> None:
        layout.addWidget(note("台账中有老人（包括已迁出、已去世的）的村不能删除；村名写错了请用“修改”改正。", wrap=False))

    def update_buttons(self) -> None:
        super().update_buttons()
        row = self.selected()
        self.delete_button.setEnabled(row is not None and not row["all_elders"])

    def add_village(self) -> int | None:
        return self.add()

    def delete_selected(self) -> bool:
        row = self.selected()
        if row is None:
            return False
        if not messages.confirm(self, "删除村（社区）", f"确定删除“{row['name']}”吗？"):
            return False
        try:
            villages.delete_village(self.ctx.db, row["id"])
        except UserError as exc:
            messages.inform(self, "不能删除", str(exc), warning=True)
            return False
        self.ctx.announce_writes()
        self.refresh()
        return True
