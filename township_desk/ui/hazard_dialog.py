"""风险隐患: what was found, when the supporter was told, when reported to the township, how resolved."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders
from township_desk.models.errors import UserError


class OptionalDate(QWidget):
    """A date that may be not yet known (unticked)."""

    def __init__(self, label: str, value: dt.date | None, parent: QWidget | None = None):
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.edit = QDateEdit(QDate.currentDate())
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("yyyy-MM-dd")
        self.edit.setMaximumDate(QDate.currentDate())
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.check.toggled.connect(self.edit.setEnabled)
        self.set_value(value)

    def set_value(self, value: dt.date | str | None) -> None:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        if value is not None:
            self.edit.setDate(QDate(value.year, value.month, value.day))

    def value(self) -> dt.date | None:
        if not self.check.isChecked():
            return None
        d = self.edit.date()
        return dt.date(d.year(), d.month(), d.day())


class HazardDialog(QDialog):
    """Open a new hazard (from a visit) or follow up an existing one."""

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, hazard_id: int | None = None,
                 visit_id: int | None = None, description: str = "", found_on: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.elder_id = elder_id
        self.hazard_id = hazard_id
        self.visit_id = visit_id
        elder = elders.get_elder(ctx.db, elder_id)
        existing = None
        if hazard_id is not None:
            cursor = ctx.db.execute("SELECT * FROM hazards WHERE id = ?", [hazard_id])
            existing = dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))
        self.setWindowTitle(f"风险隐患 — {elder['name']}")
        self.resize(560, 460)
        supporters = "、".join(f"{s['name']}（{s.get('relation') or ''} {s.get('phone') or ''}）"
                              for s in elder["supporters"]) or "未登记赡养人"
        info = QLabel(f"<b>{elder['name']}</b>　{elder['village']}　赡养人：{supporters}")
        info.setWordWrap(True)

        self.found_on = QDateEdit(QDate.currentDate())
        self.found_on.setCalendarPopup(True)
        self.found_on.setDisplayFormat("yyyy-MM-dd")
        self.found_on.setMaximumDate(QDate.currentDate())
        start = found_on or (dt.date.fromisoformat(existing["found_on"]) if existing else dt.date.today())
        self.found_on.setDate(QDate(start.year, start.month, start.day))
        self.found_on.setEnabled(existing is None)
        self.description = QPlainTextEdit(existing["description"] if existing else description)
        self.description.setReadOnly(existing is not None)
        self.description.setMaximumHeight(80)
        self.told = OptionalDate("已通报赡养人，日期", (existing or {}).get("supporter_told_on")
                                 or (dt.date.today() if existing is None else None))
        self.reported = OptionalDate("已报告乡镇，日期", (existing or {}).get("reported_on"))
        self.resolved = OptionalDate("已处置，日期", (existing or {}).get("resolved_on"))
        self.resolution = QPlainTextEdit((existing or {}).get("resolution") or "")
        self.resolution.setPlaceholderText("如何处置（处置后填写）")
        self.resolution.setMaximumHeight(80)

        form = QFormLayout()
        form.addRow("发现日期", self.found_on)
        form.addRow("发现的问题", self.description)
        form.addRow("", self.told)
        form.addRow("", self.reported)
        form.addRow("", self.resolved)
        form.addRow("处置情况", self.resolution)
        self.error = QLabel()
        self.error.setStyleSheet("color: #c9302c")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(QLabel("按规定，发现风险隐患应第一时间向赡养人通报。"))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> None:
        from township_desk.models import hazards

        db = self.ctx.db
        try:
            with db.atomic():
                if self.hazard_id is None:
                    d = self.found_on.date()
                    self.hazard_id = hazards.open_hazard(
                        db, self.elder_id, dt.date(d.year(), d.month(), d.day()),
                        self.description.toPlainText().strip(), visit_id=self.visit_id)
                current = dict(zip(*_row(db, self.hazard_id), strict=True))
                if self.told.value() and not current.get("supporter_told_on"):
                    hazards.record_supporter_told(db, self.hazard_id, self.told.value())
                if self.reported.value() and not current.get("reported_on"):
                    hazards.record_reported(db, self.hazard_id, self.reported.value())
                if self.resolved.value() and not current.get("resolved_on"):
                    hazards.resolve(db, self.hazard_id, self.resolved.value(), self.resolution.toPlainText().strip())
        except UserError as exc:
            self.error.setText(str(exc))
            return
        self.ctx.notify("hazards")
        self.accept()


def _row(db, hazard_id: int):
    cursor = db.execute("SELECT * FROM hazards WHERE id = ?", [hazard_id])
    return [c[0] for c in cursor.description], cursor.fetchone()
