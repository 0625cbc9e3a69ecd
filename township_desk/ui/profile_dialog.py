"""The first start of a new ledger: which policy text applies here (认定政策)?

Shown once, over the main window, when the ledger is empty and the profile was never chosen
(``settings.profile_needs_choice``); an existing ledger keeps its profile silently. The choice is the same
``settings.apply_profile`` as 设置 › 认定政策, where it can be changed later.
"""

from __future__ import annotations

from PySide6.QtWidgets import QButtonGroup, QDialog, QLabel, QRadioButton, QVBoxLayout, QWidget

from township_desk.models import settings
from township_desk.ui.widgets import ok_cancel_buttons


def profile_text(name: str) -> str:
    """One profile in the clerk's words: who counts and which text says so."""
    rule = settings.POLICY_PROFILES[name]
    months = int(rule["min_absence_months"])
    span = "1年" if months == 12 else ("半年" if months == 6 else f"{months}个月")
    parts = [f"年满{rule['min_age']}周岁，赡养人外出满{span}"]
    if rule["exclude_state_employers"]:
        parts.append("子女在机关、事业单位、国有企业工作的不认定")
    if rule["exclude_extreme_poverty"]:
        parts.append("农村特困人员不认定")
    return f"{name}：{'；'.join(parts)}（{settings.PROFILE_SOURCES[name]}）"


def add_profile_buttons(db, owner: QWidget, layout) -> tuple[QButtonGroup, dict[str, QRadioButton]]:
    """A radio button per policy profile added to ``layout``, the current profile checked (this dialog and the
    first-start wizard's 认定政策 step): the exclusive group and the buttons by profile name."""
    group = QButtonGroup(owner)
    buttons: dict[str, QRadioButton] = {}
    current = settings.get(db, "policy_profile")
    for name in settings.POLICY_PROFILES:
        button = QRadioButton(profile_text(name))
        button.setChecked(name == current)
        group.addButton(button)
        buttons[name] = button
        layout.addWidget(button)
    return group, buttons


def chosen_profile(buttons: dict[str, QRadioButton]) -> str:
    return next(name for name, button in buttons.items() if button.isChecked())


class ProfileDialog(QDialog):
    """A radio button per policy profile; 确定 applies the one chosen (the current one is preselected)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("选择认定政策")
        layout = QVBoxLayout(self)
        intro = QLabel("这是一个新台账。请选择本乡镇执行的农村留守老年人认定政策（以后可在“设置 › 认定政策”中修改）：")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.group, self.buttons = add_profile_buttons(ctx.db, self, layout)
        layout.addWidget(ok_cancel_buttons(self, self.choose, cancel_text="以后再选"))

    def chosen(self) -> str:
        return chosen_profile(self.buttons)

    def choose(self) -> None:
        settings.apply_profile(self.ctx.db, self.chosen())
        self.ctx.announce_writes()
        self.accept()


def ask_if_needed(ctx, parent: QWidget | None = None) -> ProfileDialog | None:
    """Open the dialog (window-modal, without blocking) when the profile must be chosen; the dialog or None."""
    if not settings.profile_needs_choice(ctx.db):
        return None
    dialog = ProfileDialog(ctx, parent)
    dialog.open()
    return dialog
