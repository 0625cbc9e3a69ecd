"""巡访对象类别 of one elder, from the 老人档案: each group's verdict on a day with its reasons (why not, or the
clerk's own reason), and the clerk's override — put in or out of a group from a day, with a reason — or its end
(from a day the record decides again). The rules and the checks are ``models.groups`` (``memberships``,
``set_override``, ``end_override``); a refusal is shown as it is worded there.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, groups
from township_desk.models.errors import UserError
from township_desk.ui.rows_model import RowsModel
from township_desk.ui.widgets import date_edit, pydate, size_for_screen, table_view

COLUMNS = [("group", "巡访对象类别"), ("verdict", "是否属于"), ("basis", "依据")]
IN, OUT = "属于", "不属于"
TITLE = "巡访对象类别"


class GroupsDialog(QDialog):
    """The groups of ``elder_id`` on ``today`` and the override form. ``changed``: an override was written."""

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.elder_id = elder_id
        self.today = today or ctx.today()
        self.changed = False
        elder = elders.get_elder(ctx.db, elder_id)
        self.setWindowTitle(f"巡访对象类别 — {elder['name']}")
        size_for_screen(self, 900, 560)

        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = RowsModel(COLUMNS)
        self.table = table_view(self.model, sortable=False, stretch_column=2)
        self.table.setWordWrap(True)
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._take_selected())

        self.group = QComboBox()
        self.group.addItems(list(groups.GROUPS))
        self.verdict = QComboBox()
        self.verdict.addItems([IN, OUT])
        self.sub_kind = QComboBox()
        self.sub_kind.addItems(list(groups.SPECIAL_KINDS))
        self.since = date_edit(self.today)
        self.since.setMaximumWidth(160)
        self.reason = QLineEdit()
        self.reason.setMaxLength(groups.REASON_LIMIT)
        self.reason.setPlaceholderText("必填：如“经村委会入户核实，有保姆同住”“重点优抚对象（退役军人）”")
        for combo in (self.group, self.verdict):
            combo.currentIndexChanged.connect(lambda _i: self._update_form())
        form_box = QGroupBox("改定类别（按台账记录无法认定时，由经办人认定并写明原因）")
        form = QFormLayout(form_box)
        line = QHBoxLayout()
        line.addWidget(self.group)
        line.addWidget(self.verdict)
        line.addWidget(QLabel("特殊困难类别"))
        line.addWidget(self.sub_kind)
        line.addStretch(1)
        form.addRow("类别", line)
        form.addRow("自（含当日）", self.since)
        form.addRow("原因", self.reason)

        self.buttons: dict[str, QPushButton] = {}
        actions = QHBoxLayout()
        for key, text, slot in (("set", "改定", self.set_override), ("end", "恢复按台账记录认定", self.end_override)):
            button = QPushButton(text)
            button.clicked.connect(lambda _checked=False, s=slot: s())
            actions.addWidget(button)
            self.buttons[key] = button
        self.buttons["end"].setToolTip("结束所选类别正在生效的改定：自所填日期起按台账记录认定；须写明原因")
        actions.addStretch(1)
        close = QPushButton("关闭")
        close.clicked.connect(self.accept)
        actions.addWidget(close)

        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(form_box)
        layout.addLayout(actions)
        self.reload()

    def reload(self) -> None:
        """Each group's verdict today, the override in force with its day and reason."""
        verdicts = groups.memberships(self.ctx.db, self.today, [self.elder_id]).get(self.elder_id, [])
        day = self.today.isoformat()
        self.open_overrides = {o["group_name"]: o for o in groups.overrides_of(self.ctx.db, self.elder_id)
                               if o["since"] <= day and (o["until"] is None or o["until"] > day)}
        rows = []
        for m in verdicts:
            name = m.group + (f"（{m.sub_kind}）" if m.sub_kind else "")
            if m.source == "override":
                since = self.open_overrides.get(m.group, {}).get("since", "")
                basis = f"经办人认定（自 {since} 起）：" + "；".join(r.removeprefix("经办人认定：") for r in m.reasons)
            else:
                basis = "按台账记录认定" if m.member else "；".join(m.reasons)
            rows.append({"group": name, "verdict": IN if m.member else OUT, "basis": basis, "key": m.group})
        self.model.set_rows(rows)
        self.table.resizeRowsToContents()
        member = [r["group"] for r in rows if r["verdict"] == IN]
        self.summary.setText(f"截至 {day}：" + ("、".join(member) if member else "不属于任何巡访对象类别")
                             + "。一位老人可属于几类，按其中要求最高的频次巡访。")
        self._update_form()

    def _take_selected(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if rows:
            self.group.setCurrentText(self.model.rows[rows[0].row()]["key"])

    def _update_form(self) -> None:
        group = self.group.currentText()
        self.sub_kind.setEnabled(group == groups.SPECIAL and self.verdict.currentText() == IN)
        self.buttons["end"].setEnabled(group in self.open_overrides)

    def _write(self, action) -> None:
        try:
            action()
        except UserError as exc:
            QMessageBox.warning(self, TITLE, str(exc))
            return
        self.changed = True
        self.ctx.announce_writes()
        self.reason.clear()
        self.reload()

    def set_override(self) -> None:
        group = self.group.currentText()
        member = self.verdict.currentText() == IN
        self._write(lambda: groups.set_override(self.ctx.db, self.elder_id, group, member, self.reason.text(),
                                                pydate(self.since.date()),
                                                self.sub_kind.currentText() if group == groups.SPECIAL else None))

    def end_override(self) -> None:
        group = self.group.currentText()
        self._write(lambda: groups.end_override(self.ctx.db, self.elder_id, group, pydate(self.since.date()),
                                                self.reason.text()))
