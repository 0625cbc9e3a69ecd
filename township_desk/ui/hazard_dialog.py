"""风险隐患: what was found, when the supporter was told, when reported to the township, how resolved."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
    QWidgetAction,
)

from township_desk.models import elders, versions
from township_desk.models.errors import StaleRecord, UserError
from township_desk.ui import stale
from township_desk.ui.widgets import date_edit, pydate, qdate, save_cancel_buttons


def _supporter(supporter: dict) -> str:
    extra = " ".join(x for x in (supporter.get("relation"), supporter.get("phone")) if x)
    return f"{supporter['name']}（{extra}）" if extra else supporter["name"]


class OptionalDate(QWidget):
    """A step's date, empty until the clerk enters it: typed (2026-11-20, 2026年11月20日 …) or picked from the
    calendar (选择日期…), no later than ``latest`` (the office's today). Nothing is filled in for them: a ticked box
    with today's date would record, in one click, a notification that never happened.

    Entering a date ticks the box; ticking the box alone gives no date, and saving then asks for it (the model
    refuses a step without a date).
    """

    def __init__(self, label: str, value: dt.date | str | None, latest: dt.date, parent: QWidget | None = None):
        super().__init__(parent)
        self.latest = latest
        self.check = QCheckBox(label)
        # the three steps' date fields line up under each other
        self.check.setMinimumWidth(self.check.fontMetrics().horizontalAdvance("已通报赡养人，日期") + 36)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("年-月-日")
        self.edit.setToolTip(f"如 {latest.isoformat()}，或点“选择日期…”")
        self.edit.setMaximumWidth(130)
        self.calendar = QCalendarWidget()
        self.calendar.setMaximumDate(qdate(latest))
        self.calendar.clicked.connect(self._picked)
        menu = QMenu(self)
        chooser = QWidgetAction(menu)
        chooser.setDefaultWidget(self.calendar)
        menu.addAction(chooser)
        self.pick = QToolButton()
        self.pick.setText("选择日期…")
        self.pick.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.pick.setMenu(menu)
        self._menu = menu
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addWidget(self.pick)
        layout.addStretch(1)
        self.edit.textEdited.connect(lambda text: text.strip() and self.check.setChecked(True))
        self.set_value(value)

    def _picked(self, day: QDate) -> None:
        self.set_date(pydate(day))
        self._menu.hide()

    def set_date(self, day: dt.date) -> None:
        """Enter ``day`` as the clerk does (typing or the calendar): the box is ticked."""
        self.edit.setText(day.isoformat())
        self.check.setChecked(True)

    def set_value(self, value: dt.date | str | None) -> None:
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        self.check.setChecked(value is not None)
        self.edit.setText(value.isoformat() if value is not None else "")

    def value(self) -> str | None:
        """None while the box is unticked; otherwise the date as entered (maybe empty), for the model to check."""
        if not self.check.isChecked():
            return None
        return self.edit.text().strip()

    def freeze(self) -> None:
        """A step already on record is kept as recorded (hazards.py): shown, not editable."""
        self.check.setEnabled(False)
        self.edit.setReadOnly(True)
        self.pick.setEnabled(False)


class HazardDialog(QDialog):
    """Open a new hazard (from a visit) or follow up an existing one (``hazard_id``).

    Each step (通报赡养人, 报告乡镇, 处置) is saved once its box is ticked; steps already on record are shown and
    kept. ``today`` is the office's day (the latest date accepted), the clock's when not given.
    """

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, hazard_id: int | None = None,
                 visit_id: int | None = None, description: str = "", found_on: dt.date | None = None):
        super().__init__(parent)
        from township_desk.models import hazards

        self.ctx = ctx
        self.elder_id = elder_id
        self.hazard_id = hazard_id
        self.visit_id = visit_id
        self.today = ctx.today()
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
        # 第一时间向赡养人通报 is required, but only the clerk knows when it happened: the date starts empty.
        self.told = OptionalDate("已通报赡养人，日期", (existing or {}).get("supporter_told_on"), self.today)
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
                # a ticked step without a date goes to the model too, which asks for the date
                if self.told.value() is not None and not current["supporter_told_on"]:
                    version = hazards.record_supporter_told(db, hazard_id, self.told.value(), today=self.today,
                                                            expected_version=version)
                if self.reported.value() is not None and not current["reported_on"]:
                    version = hazards.record_reported(db, hazard_id, self.reported.value(), today=self.today,
                                                      expected_version=version)
                if self.resolved.value() is not None and not current["resolved_on"]:
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
        self.ctx.announce_writes()
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
