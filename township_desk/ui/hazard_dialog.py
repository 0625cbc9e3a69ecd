"""风险隐患: what was found, when the supporter was told, when reported to the township, how resolved."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, versions
from township_desk.models.errors import StaleRecord, UserError
from township_desk.ui import stale
from township_desk.ui.widgets import date_edit, pydate, qdate, save_cancel_buttons


def _supporter(supporter: dict) -> str:
    extra = " ".join(x for x in (supporter.get("relation"), supporter.get("phone")) if x)
    return f"{supporter['name']}（{extra}）" if extra else supporter["name"]


class OptionalDate(QWidget):
    """A date that may be not yet known (unticked); no later than ``latest`` (the office's today)."""

    def __init__(self, label: str, value: dt.date | str | None, latest: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.check = QCheckBox(label)
        self.edit = date_edit(latest, latest=latest)
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
            self.edit.setDate(qdate(value))

    def value(self) -> dt.date | None:
        if not self.check.isChecked():
            return None
        return pydate(self.edit.date())

    def freeze(self) -> None:
        """A step already on record is kept as recorded (hazards.py): shown, not editable."""
        self.check.setEnabled(False)
        self.edit.setEnabled(False)


class HazardDialog(QDialog):
    """Open a new hazard (from a visit) or follow up an existing one (``hazard_id``).

    Each step (通报赡养人, 报告乡镇, 处置) is saved once its box is ticked; steps already on record are shown and
    kept. ``today`` is the office's day (the latest date accepted), the clock's when not given.
    """

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, hazard_id: int | None = None,
                 visit_id: int | None = None, description: str = "", found_on: dt.date | None = None,
                 today: dt.date | None = None):
        super().__init__(parent)
        from township_desk.models import hazards

        self.ctx = ctx
        self.elder_id = elder_id
        self.hazard_id = hazard_id
        self.visit_id = visit_id
        self.today = today or dt.date.today()
        elder = elders.get_elder(ctx.db, elder_id)
        existing = hazards.get_hazard(ctx.db, hazard_id) if hazard_id is not None else None
        self.existing = existing
        self.setWindowTitle(f"风险隐患 — {elder['name']}")
        self.resize(560, 460)
        supporters = "、".join(_supporter(s) for s in elder["supporters"]) or "未登记赡养人"
        info = QLabel(f"<b>{elder['name']}</b>　{elder['village']}　赡养人：{supporters}")
        info.setWordWrap(True)

        start = found_on or (dt.date.fromisoformat(existing["found_on"]) if existing else self.today)
        self.found_on = date_edit(start, latest=self.today)
        self.found_on.setEnabled(existing is None)
        self.description = QPlainTextEdit(existing["description"] if existing else description)
        self.description.setReadOnly(existing is not None)
        self.description.setMaximumHeight(80)
        # A new hazard is told to the supporter at once (第一时间向赡养人通报): the box starts ticked with today.
        self.told = OptionalDate("已通报赡养人，日期", existing["supporter_told_on"] if existing else self.today,
                                 self.today)
        self.reported = OptionalDate("已报告乡镇，日期", (existing or {}).get("reported_on"), self.today)
        self.resolved = OptionalDate("已处置，日期", (existing or {}).get("resolved_on"), self.today)
        self.resolution = QPlainTextEdit((existing or {}).get("resolution") or "")
        self.resolution.setPlaceholderText("如何处置（处置后填写）")
        self.resolution.setMaximumHeight(80)
        for step, field in ((self.told, "supporter_told_on"), (self.reported, "reported_on"),
                            (self.resolved, "resolved_on")):
            if existing and existing[field]:
                step.freeze()
        if existing and existing["resolved_on"]:
            self.resolution.setReadOnly(True)

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
        buttons = save_cancel_buttons(self, self.save)
        self.buttons = buttons
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(form)
        layout.addWidget(QLabel("按规定，发现风险隐患应第一时间向赡养人通报。"))
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def save(self) -> None:
        """Open the hazard (when new) and record each newly ticked step, all or nothing."""
        from township_desk.models import hazards

        db = self.ctx.db
        resolution = self.resolution.toPlainText().strip()
        already_resolved = bool(self.existing and self.existing["resolved_on"])
        if resolution and self.resolved.value() is None and not already_resolved:
            self.error.setText("已填写处置情况：请勾选“已处置”并填写处置日期（尚未处置完毕请清空处置情况）")
            return
        hazard_id = self.hazard_id
        # an existing hazard is saved only if nobody changed it since the dialog read it (StaleRecord)
        version = self.existing["row_version"] if self.existing else None
        try:
            with db.atomic():
                if hazard_id is None:
                    hazard_id = hazards.open_hazard(
                        db, self.elder_id, pydate(self.found_on.date()),
                        self.description.toPlainText().strip(), visit_id=self.visit_id, today=self.today)
                versions.check(db, "hazards", hazard_id, version)
                current = hazards.get_hazard(db, hazard_id)
                if self.told.value() and not current["supporter_told_on"]:
                    version = hazards.record_supporter_told(db, hazard_id, self.told.value(), today=self.today,
                                                            expected_version=version)
                if self.reported.value() and not current["reported_on"]:
                    version = hazards.record_reported(db, hazard_id, self.reported.value(), today=self.today,
                                                      expected_version=version)
                if self.resolved.value() and not current["resolved_on"]:
                    hazards.resolve(db, hazard_id, self.resolved.value(), resolution, today=self.today,
                                    expected_version=version)
        except StaleRecord as exc:
            self.error.setText(str(exc))
            if stale.offer_reload(self, exc):
                self.reload()
            return
        except UserError as exc:
            # Nothing of this save was kept (one transaction): a new hazard is still new.
            self.error.setText(str(exc))
            return
        self.hazard_id = hazard_id
        self.ctx.notify("hazards")
        self.accept()

    def reload(self) -> None:
        """Show the steps as stored now (recorded elsewhere since the dialog opened); the dialog stays open."""
        from township_desk.models import hazards

        self.existing = hazards.get_hazard(self.ctx.db, self.hazard_id)
        for step, field in ((self.told, "supporter_told_on"), (self.reported, "reported_on"),
                            (self.resolved, "resolved_on")):
            if self.existing[field]:
                step.set_value(self.existing[field])
                step.freeze()
        if self.existing["resolved_on"]:
            self.resolution.setPlainText(self.existing["resolution"] or "")
            self.resolution.setReadOnly(True)
        self.error.setText("已重新载入现在保存的内容，请核对后再保存。")
