"""巡访频次: how often 重点 and 一般 elders are visited, and which tier each risk grade gets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import settings
from township_desk.models.elders import TIERS
from township_desk.ui.settings.form import SettingsForm
from township_desk.ui.settings.messages import OK_STYLE, WARNING_STYLE, message_label, note, say

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
        rule = note("上门巡访的应访日期 = 上次上门日期（还没有时为纳入台账日期）+ 间隔天数，过了这一天即为逾期；"
                    "电话视频次数按上一个完整的周（周一至周日）统计。")
        grid.addWidget(rule, 5, 0, 1, 3)
        self.plan_message = message_label()
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
        form.addRow(note("保存风险等级评估时按此确定老人的巡访类别。", wrap=False))
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
        say(self.result_label, "已恢复为默认值，点“保存”后生效。" if self.is_dirty() else "当前就是默认值。",
             WARNING_STYLE)

    def clear_messages(self) -> None:
        super().clear_messages()
        say(self.plan_message, "")

    def checked_values(self) -> tuple[dict[str, Any], bool]:
        checked = settings.check(self.values())  # the model's rules between the plan's values
        say(self.plan_message, "".join(message for _key, message in checked.problems))
        return checked.values, not checked.problems

    def after_save(self, values: dict[str, Any]) -> None:
        say(self.result_label, f"已保存（{dt.datetime.now():%H:%M:%S}），逾期巡访清单已按新频次重新计算。", OK_STYLE)
