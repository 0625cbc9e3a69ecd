"""能力评估（GB/T 42195-2022）: the 26 items of 附录B grouped by first-level indicator, the three questions of
附录C C.4 (昏迷, 确诊痴呆或精神障碍, 近30天内照护风险事件), the running total and the level.

Scoring and the level rule are ``models.ability``; this dialog only collects the answers and shows its result.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import ability
from township_desk.models.elders import ABILITY_LEVELS
from township_desk.models.errors import UserError
from township_desk.ui.widgets import ok_cancel_buttons, size_for_screen

_NUMERALS = "一二三四"
_PLACEHOLDER = "（请选择）"


class AbilityDialog(QDialog):
    """Fill in (or review) one ability assessment. ``previous`` is what ``AbilityResult.stored()`` returned
    last time (or a plain {item code: score} dict): its answers are filled in to start from.

    ``result()`` gives the ``ability.AbilityResult`` once every item is answered (None before); note that it
    replaces ``QDialog.result()``: use the return value of ``exec()`` for the dialog code.
    """

    def __init__(self, parent: QWidget | None = None, previous: dict | None = None, *, elder_name: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("老年人能力评估（GB/T 42195-2022）" + (f"：{elder_name}" if elder_name else ""))
        size_for_screen(self, 820, 760)
        self.combos: dict[str, QComboBox] = {}
        self.groups: dict[str, QGroupBox] = {}
        self._build()
        if previous:
            self._load(previous)
        self.update_total()

    # ---------------------------------------------------------------- layout

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        intro = QLabel("逐项选择最符合老人近期实际情况的描述（共26项，满分90分）。"
                       "各项含义见鼠标悬停提示；全部填完才能确定。")
        intro.setWordWrap(True)
        outer.addWidget(intro)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        body = QWidget()
        column = QVBoxLayout(body)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        for indicator in ability.INDICATORS:
            box = QGroupBox()
            self.groups[indicator] = box
            form = QFormLayout(box)
            form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
            for item in (i for i in ability.ITEMS if i.indicator == indicator):
                label = QLabel(f"{item.code} {item.label}")
                label.setToolTip(ability.DEFINITIONS[item.code])
                combo = QComboBox()
                combo.addItem(_PLACEHOLDER, None)
                for score, text in item.options:
                    combo.addItem(f"{score}分：{text}", score)
                combo.setToolTip(ability.DEFINITIONS[item.code])
                combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
                combo.setMinimumContentsLength(30)
                combo.view().setMinimumWidth(640)  # the options are whole sentences: show them unclipped
                combo.currentIndexChanged.connect(lambda _i, c=combo: self._answer_changed(c))
                self.combos[item.code] = combo
                form.addRow(label, combo)
            column.addWidget(box)

        adjust = QGroupBox("能力等级变更依据（附录C C.4）")
        form = QFormLayout(adjust)
        self.coma_check = QCheckBox("处于昏迷状态（直接评定为能力完全丧失）")
        self.dementia_check = QCheckBox("确诊为痴呆（F00～F03）或精神科专科医生诊断的其他精神和行为障碍疾病（F04～F99）")
        self.dementia_check.setToolTip(ability.DEMENTIA_RULE)
        self.coma_check.setToolTip(ability.COMA_RULE)
        events = QHBoxLayout()
        self.events_spin = QSpinBox()
        self.events_spin.setRange(0, 99)
        self.events_spin.setSuffix(" 次")
        self.events_spin.setToolTip(ability.RISK_EVENTS_RULE)
        events.addWidget(self.events_spin)
        events.addWidget(QLabel("（跌倒、噎食、自杀、自伤、走失等；2次及以上提高一个等级）"))
        events.addStretch(1)
        form.addRow(self.coma_check)
        form.addRow(self.dementia_check)
        form.addRow("近30天内照护风险事件", events)
        for widget in (self.coma_check, self.dementia_check):
            widget.toggled.connect(lambda _c: self.update_total())
        self.events_spin.valueChanged.connect(lambda _v: self.update_total())
        column.addWidget(adjust)
        column.addStretch(1)

        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-size: 15px; font-weight: bold;")
        self.total_label.setWordWrap(True)
        self.adjust_label = QLabel()
        self.adjust_label.setWordWrap(True)
        self.adjust_label.setStyleSheet("color: #8a4b00;")
        self.missing_label = QLabel()
        self.missing_label.setWordWrap(True)
        self.missing_label.setStyleSheet("color: #777;")
        self.missing_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.total_label)
        outer.addWidget(self.adjust_label)
        outer.addWidget(self.missing_label)

        self.buttons = ok_cancel_buttons(self)
        outer.addWidget(self.buttons)

    def _load(self, previous: dict[str, Any]) -> None:
        items = previous.get("items") if isinstance(previous.get("items"), dict) else previous
        for code, combo in self.combos.items():
            index = combo.findData(items.get(code)) if items.get(code) is not None else 0
            combo.setCurrentIndex(max(index, 0))
        self.coma_check.setChecked(bool(previous.get("coma")))
        self.dementia_check.setChecked(bool(previous.get("dementia")))
        self.events_spin.setValue(int(previous.get("risk_events_30d") or 0))

    # ---------------------------------------------------------------- answers

    def set_answer(self, code: str, score: int | None) -> None:
        """Choose the option with ``score`` for item ``code`` (None clears it)."""
        combo = self.combos[code]
        combo.setCurrentIndex(0 if score is None else combo.findData(score))

    def answers(self) -> dict[str, int | None]:
        return {code: combo.currentData() for code, combo in self.combos.items()}

    def _answer_changed(self, combo: QComboBox) -> None:
        combo.setToolTip(combo.currentText() if combo.currentData() is not None
                         else ability.DEFINITIONS[next(c for c, w in self.combos.items() if w is combo)])
        self.update_total()

    def result(self) -> ability.AbilityResult | None:  # type: ignore[override]
        """The scored assessment when every item is answered, else None."""
        answers = self.answers()
        if any(value is None for value in answers.values()):
            return None
        try:
            return ability.assess(answers, coma=self.coma_check.isChecked(), dementia=self.dementia_check.isChecked(),
                                  risk_events_30d=self.events_spin.value())
        except UserError:
            return None

    def update_total(self) -> None:
        """Subtotals in the group titles, the running total, and the level once every item is answered."""
        answers = self.answers()
        for number, indicator in enumerate(ability.INDICATORS):
            codes = [i.code for i in ability.ITEMS if i.indicator == indicator]
            got = sum(answers[c] or 0 for c in codes)
            done = sum(answers[c] is not None for c in codes)
            self.groups[indicator].setTitle(
                f"{_NUMERALS[number]}、{indicator}（{done}/{len(codes)} 项，{got}/{ability.INDICATOR_MAX[indicator]} 分）")
        answered = sum(v is not None for v in answers.values())
        running = sum(v or 0 for v in answers.values())
        result = self.result()
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(result is not None)
        if result is None:
            self.total_label.setText(f"已填 {answered}/{len(ability.ITEMS)} 项，目前得分 {running} 分")
            self.adjust_label.setText("")
            missing = [f"{i.code} {i.label}" for i in ability.ITEMS if answers[i.code] is None]
            self.missing_label.setText("未填：" + "、".join(missing))
            return
        preliminary = ABILITY_LEVELS[result.preliminary_level]
        self.total_label.setText(f"总分 {result.total} 分　初步等级：{preliminary}　最终等级：{result.level} {result.label}")
        self.adjust_label.setText("；".join(result.adjustments))
        self.missing_label.setText("")
