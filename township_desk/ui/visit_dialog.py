"""登记巡访: every item of the 巡访登记表 (seed 003), photos, and a hazard proposed for any 不安全 or 差."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import elders, visitors
from township_desk.models import visits as visits_model
from township_desk.models.errors import UserError
from township_desk.ui.widgets import (
    date_edit,
    remember_folder,
    save_cancel_buttons,
    scrolling,
    size_for_screen,
    start_path,
)

# The items and their options are the model's (models/visits.py); the safety items read as on the paper form
# (seed 003: 燃气安全、取暖安全、用电安全), where the model says 燃气 so that a finding reads 燃气不安全.
SAFETY_ITEMS = tuple((field, f"{label}安全") for field, label in visits_model.SAFETY_ITEMS)


class ChoiceRow(QWidget):
    """One item of the form: its options as radio buttons (☐优 ☐良 …); none chosen means 未填."""

    def __init__(self, options: tuple[str, ...], parent: QWidget | None = None):
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(False)  # so a click on the chosen one clears it
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.buttons: dict[str, QRadioButton] = {}
        for option in options:
            button = QRadioButton(option)
            button.setAutoExclusive(False)
            button.toggled.connect(lambda checked, b=button: self._exclusive(b, checked))
            self.group.addButton(button)
            self.buttons[option] = button
            layout.addWidget(button)
        layout.addStretch(1)

    def _exclusive(self, chosen: QRadioButton, checked: bool) -> None:
        if checked:
            for button in self.buttons.values():
                if button is not chosen and button.isChecked():
                    button.setChecked(False)

    def value(self) -> str | None:
        return next((o for o, b in self.buttons.items() if b.isChecked()), None)

    def set_value(self, value: str | None) -> None:
        for option, button in self.buttons.items():
            button.setChecked(option == value)


class VisitDialog(QDialog):
    """Record one visit for an elder; the form is prefilled with the elder, the assigned visitor and today.

    ``campaign_id`` records the visit under a festival or extreme-weather campaign (always 上门); ``today`` is
    the office's day (the latest date the form accepts), the clock's when not given.
    """

    def __init__(self, ctx, elder_id: int, parent: QWidget | None = None, *, campaign_id: int | None = None,
                 mode: str = "上门", today: dt.date | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.elder_id = elder_id
        self.campaign_id = campaign_id
        self.today = today or dt.date.today()
        self.visit_id: int | None = None
        self.hazard_id: int | None = None
        self.elder = elders.get_elder(ctx.db, elder_id)
        self.setWindowTitle(f"登记巡访 — {self.elder['name']}")
        size_for_screen(self, 720, 960)

        header = QLabel(
            f"<b>{self.elder['name']}</b>　{self.elder['sex']}　{self.elder['village']}"
            f"{self.elder.get('group_name') or ''}　巡访类别：{self.elder['tier']}"
            f"　住址：{self.elder.get('current_address') or self.elder.get('household_address') or '（未填）'}")
        header.setTextFormat(Qt.TextFormat.RichText)
        header.setWordWrap(True)

        self.date = date_edit(self.today, latest=self.today)  # a visit is recorded after it took place
        self.mode = QComboBox()
        self.mode.addItems(["上门", "电话", "视频"])
        self.mode.setCurrentText("上门" if campaign_id is not None else mode)
        self.mode.setEnabled(campaign_id is None)  # festival and extreme-weather visits are home visits
        self.visitor = QComboBox()
        self.visitor.setEditable(False)
        # No silent default: with nobody assigned the clerk picks who signed the form.
        self.visitor.addItem("（请选择）", None)
        assigned = self.elder.get("visitor_id")
        for v in visitors.list_visitors(ctx.db, active_only=False):
            if v["active"] or v["id"] == assigned:
                stopped = "" if v["active"] else "，已停用"
                self.visitor.addItem(f"{v['name']}（{v['role']}{'，' + v['phone'] if v['phone'] else ''}{stopped}）",
                                     v["id"])
        self.visitor.setCurrentIndex(max(self.visitor.findData(assigned), 0) if assigned else 0)
        self.visit_type = QComboBox()
        self.visit_type.addItems(["重点", "普遍"])
        self.visit_type.setCurrentText("重点" if self.elder["tier"] == "重点" else "普遍")

        basics = QFormLayout()
        basics.addRow("巡访时间", self.date)
        basics.addRow("巡访方式", self.mode)
        basics.addRow("巡访责任人", self.visitor)
        basics.addRow("类型", self.visit_type)

        self.rows: dict[str, ChoiceRow] = {}
        content = QVBoxLayout()
        ratings, safety = visits_model.RATINGS, visits_model.SAFETY
        content.addWidget(self._group("健康状况", [(f, label, ratings) for f, label in visits_model.HEALTH_ITEMS]))
        content.addWidget(self._group("精神状态", [(f, label, ratings) for f, label in visits_model.MENTAL_ITEMS]))
        content.addWidget(self._group("安全情况", [(f, label, safety) for f, label in SAFETY_ITEMS]))
        content.addWidget(self._group("关爱服务", list(visits_model.CARE_ITEMS)))

        self.notes = QPlainTextEdit()
        self.notes.setPlaceholderText("其他情况说明")
        self.notes.setMaximumHeight(90)
        self.photos = QListWidget()
        self.photos.setMaximumHeight(70)
        add_photo = QPushButton("添加照片…")
        add_photo.clicked.connect(self._add_photo)
        remove_photo = QPushButton("移除")
        remove_photo.clicked.connect(self._remove_photo)
        photo_buttons = QHBoxLayout()
        photo_buttons.addWidget(add_photo)
        photo_buttons.addWidget(remove_photo)
        photo_buttons.addStretch(1)

        self.prefill_note = QLabel()
        self.prefill_note.setStyleSheet("color: #8a6d3b")
        self.error = QLabel()
        self.error.setStyleSheet("color: #c9302c")
        self.error.setWordWrap(True)
        buttons = save_cancel_buttons(self, self.save)

        form = QWidget()  # the items scroll on a small screen; the elder, the message and the buttons stay put
        form_layout = QVBoxLayout(form)
        form_layout.setContentsMargins(0, 0, 0, 0)
        form_layout.addLayout(basics)
        form_layout.addWidget(self.prefill_note)
        form_layout.addLayout(content)
        form_layout.addWidget(QLabel("其他情况说明"))
        form_layout.addWidget(self.notes)
        form_layout.addWidget(QLabel("巡访照片"))
        form_layout.addWidget(self.photos)
        form_layout.addLayout(photo_buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(scrolling(form), 1)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._prefill()

    def _group(self, title: str, items: list[tuple[str, str, tuple[str, ...]]]) -> QGroupBox:
        box = QGroupBox(title)
        grid = QGridLayout(box)
        for row, (field, label, options) in enumerate(items):
            grid.addWidget(QLabel(label), row, 0)
            self.rows[field] = ChoiceRow(options)
            grid.addWidget(self.rows[field], row, 1)
        return box

    def _prefill(self) -> None:
        """The ledger's care situation; the last visit's ratings as a starting point the visitor checks — except
        a 差 or 不安全: a problem is observed anew each time (carried over it would also propose the same hazard
        again), so those items start blank."""
        from township_desk.models import risk

        self.rows["daily_care"].set_value(self.elder.get("care"))
        previous = risk.last_visit_on(self.ctx.db, self.elder_id, self.today)
        if previous is None:
            return
        for field, widget in self.rows.items():
            if previous.get(field) and previous[field] not in ("差", "不安全"):
                widget.set_value(previous[field])
        note = f"各项已按上次巡访（{previous['date']}，{previous['mode']}）预填，请逐项核对后保存。"
        found = visits_model.proposed_hazard(previous)
        if found:
            note += f"上次发现的问题（{found}）未预填，请重新查看后填写。"
        self.prefill_note.setText(note)

    def _add_photo(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(self, "选择巡访照片", start_path("photos"),
                                                "图片 (*.jpg *.jpeg *.png *.bmp *.gif)")
        if files:
            remember_folder("photos", files[0])
        chosen = {str(p) for p in self.photo_paths()}
        for name in files:
            if str(Path(name)) in chosen:
                continue  # the same picture twice would be two copies on file
            item = QListWidgetItem(Path(name).name)
            item.setData(Qt.ItemDataRole.UserRole, str(Path(name)))
            item.setToolTip(str(Path(name)))
            self.photos.addItem(item)
            chosen.add(str(Path(name)))

    def _remove_photo(self) -> None:
        if self.photos.currentRow() >= 0:
            self.photos.takeItem(self.photos.currentRow())

    def data(self) -> dict:
        values = {field: widget.value() for field, widget in self.rows.items()}
        values.update({
            "date": self.date.date().toString("yyyy-MM-dd"),
            "mode": self.mode.currentText(),
            "visitor_id": self.visitor.currentData(),  # the model reads the visitor's name from the record
            "visit_type": self.visit_type.currentText(),
            "notes": self.notes.toPlainText().strip() or None,
            "campaign_id": self.campaign_id,
        })
        return values

    def photo_paths(self) -> list[Path]:
        return [Path(self.photos.item(i).data(Qt.ItemDataRole.UserRole)) for i in range(self.photos.count())]

    def save(self) -> None:
        data = self.data()
        try:
            self.visit_id = visits_model.record_visit(self.ctx.db, self.elder_id, data, self.photo_paths(),
                                                      today=self.today)
        except UserError as exc:
            self.error.setText(str(exc))  # the dialog stays open with everything typed
            return
        self.error.clear()
        self.ctx.notify("visits")
        finding = visits_model.proposed_hazard(data)
        if finding:
            answer = QMessageBox.question(
                self, "发现风险隐患",
                f"本次巡访发现：{finding}。\n\n是否登记为风险隐患？（须第一时间向赡养人通报）",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                from township_desk.ui.hazard_dialog import HazardDialog

                hazard = HazardDialog(self.ctx, self.elder_id, self, visit_id=self.visit_id, description=finding,
                                      found_on=dt.date.fromisoformat(data["date"]), today=self.today)
                if hazard.exec():
                    self.hazard_id = hazard.hazard_id
        self.accept()
