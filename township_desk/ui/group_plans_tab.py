"""设置 → 各类对象巡访频次: a visit plan of its own per 巡访对象类别, and seed 003's 重点 rules for every group.

The rule and the checks live in ``models.group_plans``; this tab shows them and saves through
``group_plans.put`` (refusals are shown in red, nothing saved). A group left unticked follows the 巡访频次 tab's
plan, shown greyed in its boxes.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import group_plans, groups, settings
from township_desk.models.errors import StaleRecord, UserError

ERROR_STYLE = "color: #b00020"
OK_STYLE = "color: #2e7d32"
HEADINGS = ("巡访对象类别", "单独设置", "重点：上门间隔", "重点：每周电话视频", "一般：上门间隔", "一般：每周电话视频")


class GroupPlansTab(QWidget):
    """One line per group: 单独设置 and the four numbers; the 重点 rules as ticks; 保存."""

    title = "各类对象巡访频次"

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._versions: dict[str, int] = {}
        self._loaded: tuple = ()
        body = QWidget()
        body.setMaximumWidth(900)
        layout = QVBoxLayout(body)
        box = QGroupBox("各类巡访对象的巡访频次")
        grid = QGridLayout(box)
        for col, text in enumerate(HEADINGS):
            grid.addWidget(QLabel(text), 0, col)
        self.own: dict[str, QCheckBox] = {}
        self.spins: dict[str, dict[str, QSpinBox]] = {}
        for row, group in enumerate(groups.GROUPS, start=1):
            grid.addWidget(QLabel(group), row, 0)
            tick = QCheckBox()
            tick.setToolTip(f"勾选后“{group}”按本行频次巡访；不勾选按“巡访频次”页的频次")
            tick.toggled.connect(lambda on, g=group: self._enable(g, on))
            self.own[group] = tick
            grid.addWidget(tick, row, 1)
            self.spins[group] = {}
            for col, (name, label, low, high) in enumerate(group_plans.FIELDS, start=2):
                spin = QSpinBox()
                spin.setRange(low, high)
                spin.setSuffix(" 天" if name.endswith("days") else " 次")
                spin.setMaximumWidth(110)
                spin.setToolTip(f"{group}：{label}")
                self.spins[group][name] = spin
                grid.addWidget(spin, row, col)
        note = QLabel("老人同属几类时，按其中要求最高的频次巡访：上门间隔取最短的，每周电话视频次数取最多的。"
                      "不勾选的类别按“巡访频次”页的频次。")
        note.setWordWrap(True)
        note.setStyleSheet("color: #555")
        grid.addWidget(note, len(groups.GROUPS) + 1, 0, 1, len(HEADINGS))
        layout.addWidget(box)

        rules = QGroupBox("列为重点巡访对象的情形（各类对象通用，峨眉山市巡访方案）")
        rules_layout = QVBoxLayout(rules)
        self.rules: dict[str, QCheckBox] = {}
        for rule in group_plans.KEY_RULES:
            tick = QCheckBox(group_plans.KEY_RULE_LABELS[rule])
            self.rules[rule] = tick
            rules_layout.addWidget(tick)
        hint = QLabel("符合勾选情形之一的老人，无论风险等级和台账上的巡访类别，都按重点对象的频次巡访。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555")
        rules_layout.addWidget(hint)
        layout.addWidget(rules)

        self.save_button = QPushButton("保存")
        self.save_button.clicked.connect(self.save)
        self.message = QLabel()
        self.message.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.message, 1)
        layout.addLayout(buttons)
        layout.addStretch(1)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(body, 1)
        outer.addStretch(0)  # left-aligned like the other 设置 forms
        self.load()

    # ---------------------------------------------------------------- state

    def _enable(self, group: str, on: bool) -> None:
        for spin in self.spins[group].values():
            spin.setEnabled(on)
        if not on:  # show what the group follows meanwhile
            default = group_plans.default_plan(settings.get_all(self.ctx.db))
            for name, value in zip(self.spins[group], default.as_list(), strict=True):
                self.spins[group][name].setValue(value)

    def load(self) -> None:
        values = settings.get_all(self.ctx.db)
        self._versions = settings.key_versions(self.ctx.db)
        own, rules = group_plans.stored(values)
        default = group_plans.default_plan(values)
        for group in groups.GROUPS:
            plan = own.get(group, default)
            for name, value in zip(self.spins[group], plan.as_list(), strict=True):
                self.spins[group][name].setValue(value)
            self.own[group].setChecked(group in own)
            self._enable(group, group in own)
        for rule, tick in self.rules.items():
            tick.setChecked(rule in rules)
        self._loaded = self._state()

    def _state(self) -> tuple:
        plans, rules = self.values()
        return tuple(sorted((g, tuple(p.values())) for g, p in plans.items())), tuple(rules)

    def values(self) -> tuple[dict[str, dict[str, int]], list[str]]:
        plans = {group: {name: spin.value() for name, spin in self.spins[group].items()}
                 for group in groups.GROUPS if self.own[group].isChecked()}
        return plans, [rule for rule, tick in self.rules.items() if tick.isChecked()]

    def is_dirty(self) -> bool:
        return self._state() != self._loaded

    def refresh(self) -> None:
        if not self.is_dirty():
            self.load()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.refresh()  # the 巡访频次 tab may have changed the default plan the unticked lines show
        super().showEvent(event)

    def save(self) -> bool:
        plans, rules = self.values()
        try:
            group_plans.put(self.ctx.db, plans, rules,
                            expected_versions={k: self._versions.get(k, 0)
                                               for k in (group_plans.PLANS_KEY, group_plans.RULES_KEY)})
        except (UserError, StaleRecord) as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(str(exc) if str(exc).startswith(("未保存", "设置未保存")) else f"未保存：{exc}")
            return False
        self.load()
        self.message.setStyleSheet(OK_STYLE)
        self.message.setText(f"已保存（{dt.datetime.now():%H:%M:%S}），逾期巡访清单已按新频次重新计算。")
        self.ctx.announce_writes()
        return True
