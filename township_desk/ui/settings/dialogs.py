"""The dialogs of the 村（社区） and 巡访责任人 tabs: add or edit one village, one visitor.

Both save through their model (``villages.save_village``, ``visitors.save_visitor``) the same way, in
``RecordDialog.save``: a refusal is shown in the dialog, a doubtful phone number is questioned once (the model's
warning) before it is saved as typed, and a record changed elsewhere since the dialog opened is offered for reload.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import villages, visitors
from township_desk.models.errors import StaleRecord, UserError
from township_desk.models.names import normalise_name
from township_desk.ui import stale
from township_desk.ui.settings.messages import WARNING_STYLE, message_label, say
from township_desk.ui.widgets import save_cancel_buttons


class RecordDialog(QDialog):
    """Add (``record`` None) or edit one record. A dialog fills ``self.form`` and calls ``finish()``; it implements
    ``_show``, ``data``, ``check`` (warnings), ``store`` (returns the id) and ``stored`` (the record as saved now)."""

    NOT_FOUND = ""  # said when the record has gone meanwhile

    def __init__(self, ctx, record: dict | None, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.record_id = record["id"] if record else None
        self.version = record.get("row_version") if record else None  # as read: the save is checked against it
        self.saved_id: int | None = None
        self._phone_warned = ""
        self.setWindowTitle(title)
        self.form = QFormLayout()

    def finish(self) -> None:
        """The form, the message line and 保存/取消, in that order."""
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        self.message = message_label()
        layout.addWidget(self.message)
        buttons = save_cancel_buttons(self, self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)

    def reload(self) -> None:
        """Show the record as stored now (changed elsewhere since the dialog opened); the dialog stays open."""
        row = self.stored()
        if row is None:
            say(self.message, self.NOT_FOUND)
            return
        self.version = row["row_version"]
        self._show(row)
        say(self.message, "已重新载入现在保存的内容，请重新修改后再保存。", WARNING_STYLE)

    def save(self) -> None:
        try:
            warning = "；".join(self.check())
            if warning and warning != self._phone_warned:
                self._phone_warned = warning
                say(self.message, f"{warning}。核对无误请再点“仍然保存”。", WARNING_STYLE)
                self.save_button.setText("仍然保存")
                return
            self.saved_id = self.store()
        except StaleRecord as exc:
            say(self.message, str(exc))
            if stale.offer_reload(self, exc):
                self.reload()
            return
        except UserError as exc:
            say(self.message, str(exc))
            return
        self.accept()

    # dialogs
    def _show(self, record: dict) -> None:
        raise NotImplementedError

    def data(self) -> dict[str, Any]:
        raise NotImplementedError

    def check(self) -> list[str]:
        raise NotImplementedError

    def store(self) -> int:
        raise NotImplementedError

    def stored(self) -> dict | None:
        raise NotImplementedError


class VillageDialog(RecordDialog):
    """Add or edit one village: its name, the committee's name as printed on agreements, staff member, phone,
    order in lists. A duplicate name is refused with the model's message, shown in the dialog."""

    NOT_FOUND = "找不到这个村（社区），可能已被删除。"

    def __init__(self, ctx, village: dict | None = None, parent: QWidget | None = None):
        super().__init__(ctx, village, "修改村（社区）" if village else "新增村（社区）", parent)
        self.name = QLineEdit()
        self.committee = QLineEdit()
        self.staff_name = QLineEdit()
        self.phone = QLineEdit()
        self.sort_order = QSpinBox()
        self.sort_order.setRange(0, 999)
        self.form.addRow("村（社区）名称（必填）", self.name)
        self.form.addRow("村民委员会名称（印在协议上）", self.committee)
        self.form.addRow("村委会派出工作人员", self.staff_name)
        self.form.addRow("联系电话", self.phone)
        self.form.addRow("排列顺序", self.sort_order)
        self.finish()
        self.name.textChanged.connect(self._suggest_committee)
        if village:
            self._show(village)
        else:
            self.sort_order.setValue(villages.next_sort_order(ctx.db))
        self._suggest_committee()

    def _show(self, village: dict) -> None:
        self.name.setText(village.get("name") or "")
        self.committee.setText(village.get("committee") or "")
        self.staff_name.setText(village.get("staff_name") or "")
        self.phone.setText(village.get("phone") or "")
        self.sort_order.setValue(int(village.get("sort_order") or 0))

    def _suggest_committee(self) -> None:
        name = normalise_name(self.name.text())
        kind = "居民委员会" if name.endswith("社区") else "村民委员会"
        self.committee.setPlaceholderText(f"留空则印为“{name}{kind}”" if name else "例如：青山村村民委员会")

    def data(self) -> dict[str, Any]:
        """What the clerk typed; ``villages.save_village`` trims the names and keeps the phone's digits."""
        return {"name": self.name.text(), "committee": self.committee.text(), "staff_name": self.staff_name.text(),
                "phone": self.phone.text(), "sort_order": self.sort_order.value()}

    def check(self) -> list[str]:
        return villages.check_village(self.ctx.db, self.data(), self.record_id)

    def store(self) -> int:
        return villages.save_village(self.ctx.db, self.data(), self.record_id, expected_version=self.version)

    def stored(self) -> dict | None:
        return next((v for v in villages.list_villages(self.ctx.db) if v["id"] == self.record_id), None)


class VisitorDialog(RecordDialog):
    """Add or edit one 巡访责任人: name, category, phone (digits kept, doubtful numbers questioned), organisation,
    village, 在岗. ``warning`` is what the model said about the saved record (shown by the tab)."""

    NOT_FOUND = "找不到这位巡访责任人，可能已被删除。"

    def __init__(self, ctx, visitor: dict | None = None, parent: QWidget | None = None):
        super().__init__(ctx, visitor, "修改巡访责任人" if visitor else "新增巡访责任人", parent)
        self.warning = ""
        self.name = QLineEdit()
        self.role = QComboBox()
        self.role.addItems(list(visitors.ROLES))
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("手机 11 位，或区号加号码；几个号码用“/”隔开")
        self.organisation = QLineEdit()
        self.role.currentTextChanged.connect(self._organisation_hint)
        self._organisation_hint(self.role.currentText())
        self.village = QComboBox()
        self.village.addItem("（不属于某个村）", None)
        for village in villages.list_villages(ctx.db):
            self.village.addItem(village["name"], village["id"])
        self.active = QCheckBox("在岗（停用后不再出现在分配名单中，已有巡访记录保留）")
        self.active.setChecked(True)
        self.form.addRow("姓名（必填）", self.name)
        self.form.addRow("类别", self.role)
        self.form.addRow("联系电话", self.phone)
        self.form.addRow("工作单位", self.organisation)
        self.form.addRow("所属村（社区）", self.village)
        self.form.addRow("", self.active)
        self.finish()
        if visitor:
            self._show(visitor)

    def _organisation_hint(self, role: str) -> None:
        """A 第三方机构 is named by its organisation (required by ``visitors.save_visitor``): say so where it goes."""
        self.organisation.setPlaceholderText("机构名称（第三方机构必填），例如：峨眉山市夕阳红社工服务中心"
                                             if role == visitors.THIRD_PARTY else "例如：青山村村委会、青山镇社工站")

    def _show(self, visitor: dict) -> None:
        self.name.setText(visitor.get("name") or "")
        self.role.setCurrentIndex(max(self.role.findText(visitor.get("role") or ""), 0))
        self.phone.setText(visitor.get("phone") or "")
        self.organisation.setText(visitor.get("organisation") or "")
        self.village.setCurrentIndex(max(self.village.findData(visitor.get("village_id")), 0))
        self.active.setChecked(bool(visitor.get("active", 1)))

    def data(self) -> dict[str, Any]:
        return {"name": self.name.text(), "role": self.role.currentText(), "phone": self.phone.text(),
                "organisation": self.organisation.text().strip() or None, "village_id": self.village.currentData(),
                "active": self.active.isChecked()}

    def check(self) -> list[str]:
        return visitors.check_visitor(self.ctx.db, self.data(), self.record_id)

    def store(self) -> int:
        saved = visitors.save_visitor(self.ctx.db, self.data(), self.record_id, expected_version=self.version)
        self.warning = "；".join(saved.warnings)
        return saved.visitor_id

    def stored(self) -> dict | None:
        return next((v for v in visitors.list_visitors(self.ctx.db, active_only=False) if v["id"] == self.record_id),
                    None)
