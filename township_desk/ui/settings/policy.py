"""认定政策: the policy profile and its values, with the rule the program applies in the clerk's words."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from township_desk.models import settings
from township_desk.ui.settings.form import SettingsForm
from township_desk.ui.settings.messages import WARNING_STYLE, note, say


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
        source = note("宁波市、重庆市、峨眉山市的规定为外出 6 个月（半年）以上，辽宁省为 1 年以上；宁波、辽宁不认定子女"
                      "在机关、事业单位、国有企业工作的，峨眉山市不认定农村特困人员。选择政策后各项数值随之改变，"
                      "也可以按本地文件逐项调整。保存后，台账的“是否符合认定条件”按新规定判断。")
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
        say(self.result_label, "".join(message for _key, message in checked.problems))
        return checked.values, not checked.problems

    def store(self, values: dict[str, Any]) -> None:
        name = values["policy_profile"]
        if self._rule_values() == settings.POLICY_PROFILES[name]:
            settings.apply_profile(self.ctx.db, name, expected_versions=self._versions)
        else:
            settings.put(self.ctx.db, values, expected_versions=self._versions)
