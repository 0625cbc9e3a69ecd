"""基本信息: 乡镇名称, 县名, 民政办电话 and the names signed on the forms and the monthly workbook."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from township_desk.models import settings
from township_desk.ui.settings.form import SettingsForm
from township_desk.ui.settings.messages import WARNING_STYLE, message_label, say


class BasicInfoTab(SettingsForm):
    """乡镇名称, 县名, 民政办电话 and the names signed on the forms and the monthly workbook."""

    title = "基本信息"
    KEYS = ("township_name", "county_name", "office_phone", "unit_head", "preparer", "reviewer")
    _HINTS = {"township_name": "例如：青山镇。印在登记表、花名册、告知卡和月度报表上。",
              "county_name": "例如：峨眉山市。月度报表的表头使用。",
              "office_phone": "手机 11 位，或区号加号码，例如 0833-5522110。",
              "unit_head": "月度报表上签名的单位负责人。",
              "preparer": "月度报表上的填表人。",
              "reviewer": "月度报表上的复核人。"}

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self.body)
        form = QFormLayout()
        self.edits: dict[str, QLineEdit] = {}
        self.messages: dict[str, QLabel] = {}
        for key in self.KEYS:
            edit = QLineEdit()
            edit.setPlaceholderText(self._HINTS[key])
            edit.setMaxLength(60)
            message = message_label()
            cell = QVBoxLayout()
            cell.setSpacing(2)
            cell.addWidget(edit)
            cell.addWidget(message)
            label = settings.LABELS[key] + ("（必填）" if key == "township_name" else "")
            form.addRow(label, cell)
            self.edits[key] = edit
            self.messages[key] = message
        layout.addLayout(form)
        layout.addLayout(self.button_row())
        layout.addStretch(1)
        self.load()

    def show_values(self, values: dict[str, Any]) -> None:
        for key, edit in self.edits.items():
            edit.setText(str(values.get(key) or ""))

    def values(self) -> dict[str, Any]:
        return {key: edit.text() for key, edit in self.edits.items()}

    def clear_messages(self) -> None:
        super().clear_messages()
        for label in self.messages.values():
            say(label, "")

    def checked_values(self) -> tuple[dict[str, Any], bool]:
        checked = settings.check(self.values())  # the model's rules; ``settings.put`` refuses the same
        for key, message in checked.warnings:  # a doubtful phone is kept as typed; the clerk sees why it looks wrong
            say(self.messages[key], f"{message}（已按输入保存）", WARNING_STYLE)
        for key in self.KEYS:
            if checked.message_for(key):
                say(self.messages[key], checked.message_for(key))
        return checked.values, not checked.problems
