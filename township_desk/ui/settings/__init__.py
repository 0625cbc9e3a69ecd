"""设置: the office's settings in tabs — 基本信息, 认定政策, 巡访频次, 村（社区）, 巡访责任人, 备份与恢复, 操作日志,
台账密码.

``apply_filters({"tab": "村（社区）"})`` opens a tab by its title. Forms keep what the clerk typed until it is saved;
closing the window with unsaved changes asks first (``can_close``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import settings, villages, visitors
from township_desk.models.elders import TIERS
from township_desk.models.errors import StaleRecord, UserError
from township_desk.models.names import normalise_name
from township_desk.ui import stale
from township_desk.ui.group_plans_tab import GroupPlansTab
from township_desk.ui.lock_dialog import PASSWORD_NOTE, PasswordSetupDialog
from township_desk.ui.lock_dialog import describe as describe_password
from township_desk.ui.rows_model import RowsModel
from township_desk.ui.settings_backup import AuditLogPanel, BackupPanel
from township_desk.ui.widgets import save_cancel_buttons, selected_row, table_view

TAB_TITLES = ("基本信息", "认定政策", "巡访频次", "村（社区）", "巡访责任人", "备份与恢复", "操作日志", "台账密码")
ERROR_STYLE = "color: #b00020"
WARNING_STYLE = "color: #8a4b00"
OK_STYLE = "color: #2e7d32"

# ------------------------------------------------------------------------------------------ dialogs
# Module-level so tests replace them: a modal dialog or message box would block a test.


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def confirm(parent: QWidget, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str, warning: bool = False) -> None:
    (QMessageBox.warning if warning else QMessageBox.information)(parent, title, text)


def ask_unsaved(parent: QWidget, text: str) -> str:
    """"save", "discard" or "cancel"."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(parent, "设置未保存", text, buttons.Save | buttons.Discard | buttons.Cancel,
                                  buttons.Save)
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


# ------------------------------------------------------------------------------------------ small parts


def _message_label() -> QLabel:
    label = QLabel("")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def _say(label: QLabel, text: str, style: str = ERROR_STYLE) -> None:
    label.setText(text)
    label.setStyleSheet(style)
    label.setVisible(bool(text))


def _select_by_id(view: QTableView, model: RowsModel, row_id: int | None) -> None:
    for number, row in enumerate(model.rows):
        if row["id"] == row_id:
            view.selectRow(number)
            return


# ------------------------------------------------------------------------------------------ form tabs


class SettingsForm(QWidget):
    """A tab of settings values with 保存: keeps what was loaded to tell whether the clerk changed anything."""

    title = ""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._loaded: dict[str, Any] = {}
        self._versions: dict[str, int] = {}  # settings.key_versions as last read: a save is checked against it
        self.save_button = QPushButton("保存")
        self.save_button.clicked.connect(self.save)
        self.result_label = _message_label()
        # Forms read best at a moderate width; the rest of the tab stays empty on a wide screen.
        self.body = QWidget()
        self.body.setMaximumWidth(860)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.body, 1)
        outer.addStretch(0)

    def button_row(self, *extra: QPushButton) -> QHBoxLayout:
        """保存 (and any extra buttons) on the left, the result of the last save beside them."""
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        for button in extra:
            row.addWidget(button)
        row.addWidget(self.result_label, 1)
        row.addStretch(0)
        return row

    def load(self) -> None:
        """Show the stored values (dropping anything typed and not saved)."""
        self._versions = settings.key_versions(self.ctx.db)
        self.show_values(settings.get_all(self.ctx.db))
        self._loaded = self.values()
        self.clear_messages()

    def is_dirty(self) -> bool:
        return self.values() != self._loaded

    def refresh(self) -> None:
        """Reload from the database unless the clerk is in the middle of typing changes (messages stay)."""
        if not self.is_dirty():
            self._versions = settings.key_versions(self.ctx.db)
            self.show_values(settings.get_all(self.ctx.db))
            self._loaded = self.values()

    def save(self) -> bool:
        """Check the values; save them (audited) and tell every page that settings changed. False when refused."""
        self.clear_messages()
        values, ok = self.checked_values()
        if not ok:
            _say(self.result_label, "未保存：请按红字改正后再保存。")
            return False
        try:
            self.store(values)
        except StaleRecord as exc:
            _say(self.result_label, f"未保存：{exc}")
            if stale.offer_reload(self, exc):
                self.load()
                _say(self.result_label, "已重新载入现在保存的设置，请重新修改后再保存。", WARNING_STYLE)
            return False
        except UserError as exc:
            _say(self.result_label, f"未保存：{exc}")
            return False
        self._versions = settings.key_versions(self.ctx.db)
        self.show_values(settings.get_all(self.ctx.db))  # as stored: trimmed names, phone digits
        self._loaded = self.values()
        self.after_save(values)
        self.ctx.announce_writes()
        return True

    def after_save(self, values: dict[str, Any]) -> None:
        _say(self.result_label, f"已保存（{dt.datetime.now():%H:%M:%S}）。", OK_STYLE)

    def store(self, values: dict[str, Any]) -> None:
        settings.put(self.ctx.db, values, expected_versions=self._versions)

    # subclasses
    def show_values(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def checked_values(self) -> tuple[dict[str, Any], bool]:
        raise NotImplementedError

    def clear_messages(self) -> None:
        _say(self.result_label, "")


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
            message = _message_label()
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
            _say(label, "")

    def checked_values(self) -> tuple[dict[str, Any], bool]:
        checked = settings.check(self.values())  # the model's rules; ``settings.put`` refuses the same
        for key, message in checked.warnings:  # a doubtful phone is kept as typed; the clerk sees why it looks wrong
            _say(self.messages[key], f"{message}（已按输入保存）", WARNING_STYLE)
        for key in self.KEYS:
            if checked.message_for(key):
                _say(self.messages[key], checked.message_for(key))
        return checked.values, not checked.problems


def rule_text(values: dict[str, Any]) -> str:
    """The 认定 rule the program applies (``models.elders.eligibility``), in the clerk's words."""
    months = int(values["min_absence_months"])
    span = f"{months} 个月" + (f"（{months // 12} 年）" if months % 12 == 0 and months >= 12 else "")
    excluded = "子女不是农村户籍的"
    if values["exclude_state_employers"]:
        excluded += "，或子女在机关、事业单位、国有企业工作的"
    if values.get("exclude_extreme_poverty"):
        excluded = "老人本人是农村特困人员的，或" + excluded
    return (f"认定条件：年满 {int(values['min_age'])} 周岁、农村户籍的老年人，其赡养人（扶养人）全部离开本县（市、区）"
            f"外出务工或经商满 {span}，或留在本地的赡养人没有赡养能力的，认定为农村留守老年人；{excluded}，不认定。\n"
            "不符合条件的老人不会被自动移出台账：台账中列出原因，由您决定是否改为“已不属于留守”。")


class PolicyTab(SettingsForm):
    """认定政策: the policy profile (宁波, 辽宁, 重庆, 四川·峨眉山) and its values, which may be adjusted."""

    title = "认定政策"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self.body)
        form = QFormLayout()
        self.profile = QComboBox()
        for name, rule in settings.POLICY_PROFILES.items():
            self.profile.addItem(f"{name}（赡养人外出满 {rule['min_absence_months']} 个月）", name)
        self.min_age = QSpinBox()
        self.min_age.setRange(*settings.value_range("min_age"))
        self.min_age.setSuffix(" 周岁")
        self.min_age.setMaximumWidth(140)
        self.min_absence_months = QSpinBox()
        self.min_absence_months.setRange(*settings.value_range("min_absence_months"))
        self.min_absence_months.setSuffix(" 个月")
        self.min_absence_months.setMaximumWidth(140)
        self.exclude_state_employers = QCheckBox(settings.LABELS["exclude_state_employers"])
        self.exclude_extreme_poverty = QCheckBox(settings.LABELS["exclude_extreme_poverty"])
        form.addRow(settings.LABELS["policy_profile"], self.profile)
        form.addRow(settings.LABELS["min_age"], self.min_age)
        form.addRow(settings.LABELS["min_absence_months"], self.min_absence_months)
        form.addRow("", self.exclude_state_employers)
        form.addRow("", self.exclude_extreme_poverty)
        layout.addLayout(form)
        self.profile_note = QLabel("")
        self.profile_note.setStyleSheet(WARNING_STYLE)
        self.profile_note.setWordWrap(True)
        layout.addWidget(self.profile_note)
        self.explanation = QLabel("")
        self.explanation.setWordWrap(True)
        self.explanation.setFrameShape(QFrame.Shape.StyledPanel)
        self.explanation.setMargin(8)
        layout.addWidget(self.explanation)
        source = QLabel("宁波市、重庆市、峨眉山市的规定为外出 6 个月（半年）以上，辽宁省为 1 年以上；宁波、辽宁不认定子女"
                        "在机关、事业单位、国有企业工作的，峨眉山市不认定农村特困人员。选择政策后各项数值随之改变，"
                        "也可以按本地文件逐项调整。保存后，台账的“是否符合认定条件”按新规定判断。")
        source.setWordWrap(True)
        source.setStyleSheet("color: #555")
        layout.addWidget(source)
        layout.addLayout(self.button_row())
        layout.addStretch(1)
        self.profile.currentIndexChanged.connect(self._profile_chosen)
        for spin in (self.min_age, self.min_absence_months):
            spin.valueChanged.connect(lambda _v: self._update_text())
        self.exclude_state_employers.toggled.connect(lambda _c: self._update_text())
        self.exclude_extreme_poverty.toggled.connect(lambda _c: self._update_text())
        self.load()

    def show_values(self, values: dict[str, Any]) -> None:
        self.profile.blockSignals(True)
        index = self.profile.findData(values.get("policy_profile"))
        self.profile.setCurrentIndex(max(index, 0))
        self.profile.blockSignals(False)
        self.min_age.setValue(int(values["min_age"]))
        self.min_absence_months.setValue(int(values["min_absence_months"]))
        self.exclude_state_employers.setChecked(bool(values["exclude_state_employers"]))
        self.exclude_extreme_poverty.setChecked(bool(values["exclude_extreme_poverty"]))
        self._update_text()

    def values(self) -> dict[str, Any]:
        return {"policy_profile": self.profile.currentData(), "min_age": self.min_age.value(),
                "min_absence_months": self.min_absence_months.value(),
                "exclude_state_employers": self.exclude_state_employers.isChecked(),
                "exclude_extreme_poverty": self.exclude_extreme_poverty.isChecked()}

    def _rule_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.values().items() if k != "policy_profile"}

    def _profile_chosen(self, _index: int) -> None:
        rule = settings.POLICY_PROFILES[self.profile.currentData()]
        self.min_age.setValue(rule["min_age"])
        self.min_absence_months.setValue(rule["min_absence_months"])
        self.exclude_state_employers.setChecked(rule["exclude_state_employers"])
        self.exclude_extreme_poverty.setChecked(rule["exclude_extreme_poverty"])
        self._update_text()

    def _update_text(self) -> None:
        self.explanation.setText(rule_text(self.values()))
        name = self.profile.currentData()
        adjusted = self._rule_values() != settings.POLICY_PROFILES[name]
        self.profile_note.setText(f"已按本地规定调整，与“{name}”政策的规定不同。" if adjusted else "")

    def checked_values(self) -> tuple[dict[str, Any], bool]:
        checked = settings.check(self.values())
        _say(self.result_label, "".join(message for _key, message in checked.problems))
        return checked.values, not checked.problems

    def store(self, values: dict[str, Any]) -> None:
        name = values["policy_profile"]
        if self._rule_values() == settings.POLICY_PROFILES[name]:
            settings.apply_profile(self.ctx.db, name, expected_versions=self._versions)
        else:
            settings.put(self.ctx.db, values, expected_versions=self._versions)


# (key, heading, kind, suffix) of the visit plan per tier, in the grid's order (ranges: ``settings.RULES``).
_PLAN_SPINS = (
    ("plan_key_home_days", "重点", "home", " 天"),
    ("plan_key_remote_per_week", "重点", "remote", " 次"),
    ("plan_general_home_days", "一般", "home", " 天"),
    ("plan_general_remote_per_week", "一般", "remote", " 次"),
)
_TIER_KEYS = (("tier_for_high", "高风险（一级）"), ("tier_for_medium", "中风险（二级）"), ("tier_for_low", "低风险（三级）"))


class VisitPlanTab(SettingsForm):
    """巡访频次: home-visit interval and remote contacts per week for 重点 and 一般, and which tier each risk grade
    gets; 恢复默认 puts the plan's defaults back (saved with 保存)."""

    title = "巡访频次"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(ctx, parent)
        layout = QVBoxLayout(self.body)
        plan = QGroupBox("巡访频次（按巡访类别）")
        grid = QGridLayout(plan)
        grid.addWidget(QLabel("上门巡访：至少每隔"), 0, 1)
        grid.addWidget(QLabel("电话、视频巡访：每周至少"), 0, 2)
        grid.addWidget(QLabel("重点对象"), 1, 0)
        grid.addWidget(QLabel("一般对象"), 2, 0)
        self.spins: dict[str, QSpinBox] = {}
        self.messages: dict[str, QLabel] = {}
        for key, tier, kind, suffix in _PLAN_SPINS:
            spin = QSpinBox()
            spin.setRange(*settings.value_range(key))
            spin.setSuffix(suffix)
            spin.setMaximumWidth(140)
            spin.setToolTip(f"{settings.LABELS[key]}，默认 {settings.DEFAULTS[key]}")
            self.spins[key] = spin
            grid.addWidget(spin, 1 if tier == "重点" else 2, 1 if kind == "home" else 2)
        d = settings.DEFAULTS
        defaults = QLabel(f"默认（峨眉山市巡访方案）：重点对象每 {d['plan_key_home_days']} 天上门 1 次、"
                          f"每周电话视频 {d['plan_key_remote_per_week']} 次；一般对象每 {d['plan_general_home_days']} 天"
                          f"上门 1 次、每周 {d['plan_general_remote_per_week']} 次。")
        defaults.setWordWrap(True)
        grid.addWidget(defaults, 3, 0, 1, 3)
        self.home_counts = QCheckBox(settings.LABELS["plan_home_counts_as_contact"])
        self.home_counts.setToolTip("峨眉山市巡访方案要求重点对象每半月上门 1 次，并且每周电话视频 2 次："
                                    "默认不勾选，上门巡访不顶替电话视频巡访。")
        grid.addWidget(self.home_counts, 4, 0, 1, 3)
        rule = QLabel("上门巡访的应访日期 = 上次上门日期（还没有时为纳入台账日期）+ 间隔天数，过了这一天即为逾期；"
                      "电话视频次数按上一个完整的周（周一至周日）统计。")
        rule.setWordWrap(True)
        rule.setStyleSheet("color: #555")
        grid.addWidget(rule, 5, 0, 1, 3)
        self.plan_message = _message_label()
        grid.addWidget(self.plan_message, 6, 0, 1, 3)
        layout.addWidget(plan)

        tiers = QGroupBox("风险等级对应的巡访类别")
        form = QFormLayout(tiers)
        self.tier_combos: dict[str, QComboBox] = {}
        for key, label in _TIER_KEYS:
            combo = QComboBox()
            combo.addItems(list(TIERS))
            combo.setMaximumWidth(140)
            combo.setToolTip(f"{settings.LABELS[key]}，默认 {settings.DEFAULTS[key]}")
            self.tier_combos[key] = combo
            form.addRow(f"{label}（默认 {settings.DEFAULTS[key]}）", combo)
        note = QLabel("保存风险等级评估时按此确定老人的巡访类别。")
        note.setStyleSheet("color: #555")
        form.addRow(note)
        layout.addWidget(tiers)

        self.defaults_button = QPushButton("恢复默认")
        self.defaults_button.clicked.connect(self.restore_defaults)
        layout.addLayout(self.button_row(self.defaults_button))
        layout.addStretch(1)
        self.load()

    def show_values(self, values: dict[str, Any]) -> None:
        for key, spin in self.spins.items():
            spin.setValue(int(values[key]))
        self.home_counts.setChecked(bool(values["plan_home_counts_as_contact"]))
        for key, combo in self.tier_combos.items():
            combo.setCurrentIndex(max(combo.findText(str(values[key])), 0))

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: spin.value() for key, spin in self.spins.items()}
        out["plan_home_counts_as_contact"] = self.home_counts.isChecked()
        out.update({key: combo.currentText() for key, combo in self.tier_combos.items()})
        return out

    def restore_defaults(self) -> None:
        """Put the defaults in the boxes; they are saved with 保存."""
        self.show_values(settings.DEFAULTS)
        _say(self.result_label, "已恢复为默认值，点“保存”后生效。" if self.is_dirty() else "当前就是默认值。",
             WARNING_STYLE)

    def clear_messages(self) -> None:
        super().clear_messages()
        _say(self.plan_message, "")

    def checked_values(self) -> tuple[dict[str, Any], bool]:
        checked = settings.check(self.values())  # the model's rules between the plan's values
        _say(self.plan_message, "".join(message for _key, message in checked.problems))
        return checked.values, not checked.problems

    def after_save(self, values: dict[str, Any]) -> None:
        _say(self.result_label, f"已保存（{dt.datetime.now():%H:%M:%S}），逾期巡访清单已按新频次重新计算。", OK_STYLE)


# ------------------------------------------------------------------------------------------ villages


class VillageDialog(QDialog):
    """Add or edit one village: its name, the committee's name as printed on agreements, staff member, phone,
    order in lists. A duplicate name is refused with the model's message, shown in the dialog."""

    def __init__(self, ctx, village: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.village_id = village["id"] if village else None
        self.version = village.get("row_version") if village else None  # as read: the save is checked against it
        self.saved_id: int | None = None
        self._phone_warned = ""
        self.setWindowTitle("修改村（社区）" if village else "新增村（社区）")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.name = QLineEdit()
        self.committee = QLineEdit()
        self.staff_name = QLineEdit()
        self.phone = QLineEdit()
        self.sort_order = QSpinBox()
        self.sort_order.setRange(0, 999)
        form.addRow("村（社区）名称（必填）", self.name)
        form.addRow("村民委员会名称（印在协议上）", self.committee)
        form.addRow("村委会派出工作人员", self.staff_name)
        form.addRow("联系电话", self.phone)
        form.addRow("排列顺序", self.sort_order)
        layout.addLayout(form)
        self.message = _message_label()
        layout.addWidget(self.message)
        buttons = save_cancel_buttons(self, self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
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

    def reload(self) -> None:
        """Show the village as stored now (changed elsewhere since the dialog opened); the dialog stays open."""
        row = next((v for v in villages.list_villages(self.ctx.db) if v["id"] == self.village_id), None)
        if row is None:
            _say(self.message, "找不到这个村（社区），可能已被删除。")
            return
        self.version = row["row_version"]
        self._show(row)
        _say(self.message, "已重新载入现在保存的内容，请重新修改后再保存。", WARNING_STYLE)

    def _suggest_committee(self) -> None:
        name = normalise_name(self.name.text())
        kind = "居民委员会" if name.endswith("社区") else "村民委员会"
        self.committee.setPlaceholderText(f"留空则印为“{name}{kind}”" if name else "例如：青山村村民委员会")

    def data(self) -> dict[str, Any]:
        """What the clerk typed; ``villages.save_village`` trims the names and keeps the phone's digits."""
        return {"name": self.name.text(), "committee": self.committee.text(), "staff_name": self.staff_name.text(),
                "phone": self.phone.text(), "sort_order": self.sort_order.value()}

    def save(self) -> None:
        """Save through ``villages.save_village``; a refusal is shown here, and a doubtful phone number is questioned
        once (the model's warning) before it is saved as typed."""
        try:
            warning = "；".join(villages.check_village(self.ctx.db, self.data(), self.village_id))
            if warning and warning != self._phone_warned:
                self._phone_warned = warning
                _say(self.message, f"{warning}。核对无误请再点“仍然保存”。", WARNING_STYLE)
                self.save_button.setText("仍然保存")
                return
            self.saved_id = villages.save_village(self.ctx.db, self.data(), self.village_id,
                                                  expected_version=self.version)
        except StaleRecord as exc:
            _say(self.message, str(exc))
            if stale.offer_reload(self, exc):
                self.reload()
            return
        except UserError as exc:
            _say(self.message, str(exc))
            return
        self.accept()


class VillagesTab(QWidget):
    """村（社区）: the villages with their 在册 counts; add, edit, delete one added by mistake."""

    title = "村（社区）"
    COLUMNS = [("name", "村（社区）"), ("committee", "村民委员会名称"), ("staff_name", "村委会派出工作人员"),
               ("phone", "联系电话"), ("sort_order", "排列顺序"), ("on_ledger", "在册（人）"),
               ("visitor_count", "巡访责任人（人）")]

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.model = RowsModel(self.COLUMNS, parent=self)
        self.view = table_view(self.model, stretch_column=1, sortable=False)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        from township_desk.ui.empty_state import show_when_empty

        show_when_empty(self.view, "还没有村（社区）：点击下方“新增…”逐个添加；导入台账时，新出现的村名也会列出来请您确认。")
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("新增…")
        self.edit_button = QPushButton("修改…")
        self.delete_button = QPushButton("删除")
        self.add_button.clicked.connect(self.add_village)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        for button in (self.add_button, self.edit_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        self.count_label = QLabel("")
        row.addWidget(self.count_label)
        layout.addLayout(row)
        note = QLabel("台账中有老人（包括已迁出、已去世的）的村不能删除；村名写错了请用“修改”改正。")
        note.setStyleSheet("color: #555")
        layout.addWidget(note)
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.refresh()

    def refresh(self) -> None:
        current = self.selected()
        rows = villages.villages_with_counts(self.ctx.db)
        self.model.set_rows(rows)
        self.count_label.setText(f"共 {len(rows)} 个村（社区），在册老人 {sum(r['on_ledger'] for r in rows)} 人")
        _select_by_id(self.view, self.model, current["id"] if current else None)
        self._update_buttons()

    def selected(self) -> dict | None:
        return selected_row(self.view)

    def _update_buttons(self) -> None:
        row = self.selected()
        self.edit_button.setEnabled(row is not None)
        self.delete_button.setEnabled(row is not None and not row["all_elders"])

    def add_village(self) -> int | None:
        return self._edit(None)

    def edit_selected(self) -> int | None:
        row = self.selected()
        if row is None:
            inform(self, "修改村（社区）", "请先在列表中选中一个村（社区）。", warning=True)
            return None
        return self._edit(row)

    def _edit(self, row: dict | None) -> int | None:
        dialog = VillageDialog(self.ctx, row, self)
        if not run_dialog(dialog):
            return None
        self.ctx.announce_writes()
        self.refresh()
        _select_by_id(self.view, self.model, dialog.saved_id)
        return dialog.saved_id

    def delete_selected(self) -> bool:
        row = self.selected()
        if row is None:
            return False
        if not confirm(self, "删除村（社区）", f"确定删除“{row['name']}”吗？"):
            return False
        try:
            villages.delete_village(self.ctx.db, row["id"])
        except UserError as exc:
            inform(self, "不能删除", str(exc), warning=True)
            return False
        self.ctx.announce_writes()
        self.refresh()
        return True


# ------------------------------------------------------------------------------------------ visitors


class VisitorDialog(QDialog):
    """Add or edit one 巡访责任人: name, category, phone (digits kept, doubtful numbers questioned), organisation,
    village, 在岗."""

    def __init__(self, ctx, visitor: dict | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.visitor_id = visitor["id"] if visitor else None
        self.version = visitor.get("row_version") if visitor else None  # as read: the save is checked against it
        self.saved_id: int | None = None
        self.warning = ""
        self._phone_warned = ""
        self.setWindowTitle("修改巡访责任人" if visitor else "新增巡访责任人")
        layout = QVBoxLayout(self)
        form = QFormLayout()
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
        form.addRow("姓名（必填）", self.name)
        form.addRow("类别", self.role)
        form.addRow("联系电话", self.phone)
        form.addRow("工作单位", self.organisation)
        form.addRow("所属村（社区）", self.village)
        form.addRow("", self.active)
        layout.addLayout(form)
        self.message = _message_label()
        layout.addWidget(self.message)
        buttons = save_cancel_buttons(self, self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
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

    def reload(self) -> None:
        """Show the visitor as stored now (changed elsewhere since the dialog opened); the dialog stays open."""
        row = next((v for v in visitors.list_visitors(self.ctx.db, active_only=False) if v["id"] == self.visitor_id),
                   None)
        if row is None:
            _say(self.message, "找不到这位巡访责任人，可能已被删除。")
            return
        self.version = row["row_version"]
        self._show(row)
        _say(self.message, "已重新载入现在保存的内容，请重新修改后再保存。", WARNING_STYLE)

    def data(self) -> dict[str, Any]:
        return {"name": self.name.text(), "role": self.role.currentText(), "phone": self.phone.text(),
                "organisation": self.organisation.text().strip() or None, "village_id": self.village.currentData(),
                "active": self.active.isChecked()}

    def save(self) -> None:
        """Save through ``visitors.save_visitor``; a refusal (bad name, the same person twice) is shown here, and a
        doubtful phone number is questioned once (the model's warning) before it is saved as typed."""
        try:
            warning = "；".join(visitors.check_visitor(self.ctx.db, self.data(), self.visitor_id))
            if warning and warning != self._phone_warned:
                self._phone_warned = warning
                _say(self.message, f"{warning}。核对无误请再点“仍然保存”。", WARNING_STYLE)
                self.save_button.setText("仍然保存")
                return
            saved = visitors.save_visitor(self.ctx.db, self.data(), self.visitor_id, expected_version=self.version)
        except StaleRecord as exc:
            _say(self.message, str(exc))
            if stale.offer_reload(self, exc):
                self.reload()
            return
        except UserError as exc:
            _say(self.message, str(exc))
            return
        self.saved_id = saved.visitor_id
        self.warning = "；".join(saved.warnings)
        self.accept()


class VisitorsTab(QWidget):
    """巡访责任人: the visitors with how many elders each looks after; add, edit, stop/restart; and assigning a
    village's elders to one visitor in one go."""

    title = "巡访责任人"
    COLUMNS = [("name", "姓名"), ("role", "类别"), ("phone", "联系电话"), ("organisation", "工作单位"),
               ("village", "所属村（社区）"), ("state", "状态"), ("elder_count", "负责在册老人（人）")]

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.preview_rows: list[dict] = []
        self.visitor_names: dict[int, str] = {}
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.show_stopped = QCheckBox("显示已停用的")
        top.addWidget(self.show_stopped)
        top.addStretch(1)
        self.count_label = QLabel("")
        top.addWidget(self.count_label)
        layout.addLayout(top)
        self.model = RowsModel(self.COLUMNS, parent=self,
                               color=lambda r: None if r.get("active") else "#888888")
        self.view = table_view(self.model, stretch_column=3, sortable=False)
        self.view.doubleClicked.connect(lambda _i: self.edit_selected())
        from township_desk.ui.empty_state import show_when_empty

        show_when_empty(self.view, lambda: (
            "没有在岗的巡访责任人：点击下方“新增…”添加，或勾选“显示已停用的”。" if visitors.list_visitors(
                self.ctx.db, active_only=False) else "还没有巡访责任人：点击下方“新增…”添加，再用“批量分配”把老人交给他们。"))
        layout.addWidget(self.view, 1)
        row = QHBoxLayout()
        self.add_button = QPushButton("新增…")
        self.edit_button = QPushButton("修改…")
        self.active_button = QPushButton("停用")
        self.add_button.clicked.connect(self.add_visitor)
        self.edit_button.clicked.connect(self.edit_selected)
        self.active_button.clicked.connect(self.toggle_active)
        for button in (self.add_button, self.edit_button, self.active_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.message = _message_label()
        layout.addWidget(self.message)

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

        self.show_stopped.toggled.connect(lambda _c: self.refresh())
        self.view.selectionModel().selectionChanged.connect(lambda *_a: self._update_buttons())
        self.assign_village.currentIndexChanged.connect(lambda _i: self._village_chosen())
        self.assign_visitor.currentIndexChanged.connect(lambda _i: self.update_preview())
        self.only_unassigned.toggled.connect(lambda _c: self.update_preview())
        self.assign_button.clicked.connect(self.assign)
        self.refresh()

    # ---------------------------------------------------------------- list

    def refresh(self) -> None:
        current = self.selected()
        rows = visitors.list_visitors(self.ctx.db, active_only=not self.show_stopped.isChecked())
        for r in rows:
            r["state"] = "在岗" if r["active"] else "已停用"
        self.model.set_rows(rows)
        active = sum(1 for r in rows if r["active"])
        self.count_label.setText(f"在岗 {active} 人" + (f"，已停用 {len(rows) - active} 人" if len(rows) > active else ""))
        _select_by_id(self.view, self.model, current["id"] if current else None)
        self._update_buttons()
        self._fill_assignment_choices()

    def selected(self) -> dict | None:
        return selected_row(self.view)

    def _update_buttons(self) -> None:
        row = self.selected()
        self.edit_button.setEnabled(row is not None)
        self.active_button.setEnabled(row is not None)
        self.active_button.setText("重新启用" if row is not None and not row["active"] else "停用")

    def add_visitor(self) -> int | None:
        return self._edit(None)

    def edit_selected(self) -> int | None:
        row = self.selected()
        if row is None:
            inform(self, "修改巡访责任人", "请先在列表中选中一位巡访责任人。", warning=True)
            return None
        return self._edit(row)

    def _edit(self, row: dict | None) -> int | None:
        dialog = VisitorDialog(self.ctx, row, self)
        if not run_dialog(dialog):
            return None
        self.ctx.announce_writes()
        self.refresh()
        _select_by_id(self.view, self.model, dialog.saved_id)
        name = normalise_name(dialog.name.text())
        if dialog.warning:
            _say(self.message, f"已保存“{name}”。注意：{dialog.warning}", WARNING_STYLE)
        else:
            _say(self.message, f"已保存“{name}”。", OK_STYLE)
        return dialog.saved_id

    def toggle_active(self) -> bool:
        """停用 (asking first when elders are still assigned) or 重新启用 the selected visitor."""
        row = self.selected()
        if row is None:
            return False
        stopping = bool(row["active"])
        if stopping and row["elder_count"] and not confirm(
                self, "停用巡访责任人",
                f"“{row['name']}”还负责 {row['elder_count']} 位在册老人。停用后请在下方“批量分配”或台账中"
                "把他们交给其他巡访责任人。确定停用吗？"):
            return False
        data = {k: row.get(k) for k in ("name", "phone", "role", "organisation", "village_id")}
        data["active"] = not stopping
        try:
            visitors.save_visitor(self.ctx.db, data, row["id"], expected_version=row.get("row_version"))
        except UserError as exc:  # StaleRecord too: the list is re-read, the clerk sees the change and decides again
            inform(self, "未能保存", str(exc), warning=True)
            self.refresh()
            return False
        self.ctx.announce_writes()
        self.refresh()
        _say(self.message, f"已{'停用' if stopping else '重新启用'}“{row['name']}”。", OK_STYLE)
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
        if others and not confirm(self, "批量分配", f"其中 {len(others)} 位老人原由其他巡访责任人负责"
                                  f"（如 {others[0]['name']}：{others[0]['visitor']}），确定都改为{person}吗？"):
            return 0
        try:
            changed = visitors.assign_elders(self.ctx.db, self.assign_visitor.currentData(),
                                    [r["id"] for r in self.preview_rows])
        except UserError as exc:
            inform(self, "未能分配", str(exc), warning=True)
            return 0
        self.ctx.announce_writes()
        self.refresh()
        _say(self.message, f"已把 {changed} 位老人分配给{person}。", OK_STYLE)
        return changed


# ------------------------------------------------------------------------------------------ password


# What the password does, said plainly (lock_dialog.PASSWORD_NOTE).
LOCK_NOTE = PASSWORD_NOTE


class PasswordTab(QWidget):
    """台账密码: whether one is set (the ledger encrypted), and the dialog to set, change or clear it."""

    title = "台账密码"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        self.state = QLabel("")
        self.state.setWordWrap(True)
        layout.addWidget(self.state)
        self.button = QPushButton("")
        self.button.clicked.connect(self.open_dialog)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        note = QLabel(LOCK_NOTE)
        note.setWordWrap(True)
        note.setStyleSheet("color: #555")
        layout.addWidget(note)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        state, button = describe_password(self.ctx)
        self.state.setText(state)
        self.button.setText(button)

    def open_dialog(self) -> None:
        run_dialog(PasswordSetupDialog(self.ctx, self))
        self.refresh()


# ------------------------------------------------------------------------------------------ the page


class SettingsPage(QWidget):
    """The 设置 page."""

    # The tables whose changes refresh this page (ui.pages.Page).
    SHOWS = frozenset({"settings", "villages", "visitors", "elders"})

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.basic_tab = BasicInfoTab(ctx)
        self.policy_tab = PolicyTab(ctx)
        self.plan_tab = VisitPlanTab(ctx)
        self.villages_tab = VillagesTab(ctx)
        self.visitors_tab = VisitorsTab(ctx)
        self.backup_panel = BackupPanel(ctx)
        self.audit_panel = AuditLogPanel(ctx)
        self.password_tab = PasswordTab(ctx)
        self.tabs = QTabWidget()
        for widget, title in zip((self.basic_tab, self.policy_tab, self.plan_tab, self.villages_tab,
                                  self.visitors_tab, self.backup_panel, self.audit_panel, self.password_tab),
                                 TAB_TITLES, strict=True):
            self.tabs.addTab(widget, title)
        self.tabs.addTab(GroupPlansTab(ctx), GroupPlansTab.title)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        self.tabs.currentChanged.connect(self._tab_shown)

    @property
    def forms(self) -> tuple[SettingsForm, ...]:
        return (self.basic_tab, self.policy_tab, self.plan_tab)

    def refresh(self) -> None:
        """Reload every tab from the database (forms keep unsaved typing); the backups list when it is shown."""
        for form in self.forms:
            form.refresh()
        self.villages_tab.refresh()
        self.visitors_tab.refresh()
        self.password_tab.refresh()
        if self.tabs.currentWidget() is self.backup_panel:
            self.backup_panel.refresh()

    def _tab_shown(self, _index: int) -> None:
        """Lists are reloaded when their tab is shown: a village added on one tab is offered on the next, and
        automatic backups appear in the folder without any data change."""
        shown = self.tabs.currentWidget()
        if shown in (self.villages_tab, self.visitors_tab, self.backup_panel, self.password_tab):
            shown.refresh()

    def select_tab(self, title: str) -> bool:
        """Show the tab with this title; False when there is none."""
        if title not in TAB_TITLES:
            return False
        self.tabs.setCurrentIndex(TAB_TITLES.index(title))
        return True

    def current_tab_title(self) -> str:
        return self.tabs.tabText(self.tabs.currentIndex())

    def apply_filters(self, filters: dict) -> None:
        """``{"tab": "村（社区）"}`` opens that tab."""
        if filters.get("tab"):
            self.select_tab(str(filters["tab"]))

    @property
    def search(self) -> QWidget | None:
        """The search box of the shown tab, for Ctrl+F (the audit log has one)."""
        return self.audit_panel.search if self.tabs.currentWidget() is self.audit_panel else None

    def can_close(self) -> bool:
        """With unsaved changes in a form, ask: save (refused values keep the window open), discard, or stay."""
        dirty = [form for form in self.forms if form.is_dirty()]
        if not dirty:
            return True
        names = "、".join(f"“{form.title}”" for form in dirty)
        answer = ask_unsaved(self, f"设置中{names}有未保存的修改。关闭前保存吗？")
        if answer == "cancel":
            self.tabs.setCurrentWidget(dirty[0])
            return False
        if answer == "discard":
            for form in dirty:
                form.load()
            return True
        for form in dirty:
            if not form.save():
                self.tabs.setCurrentWidget(form)
                return False
        return True
