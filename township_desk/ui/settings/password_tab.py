"""台账密码: whether one is set (the ledger encrypted), and the dialog to set, change or clear it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from township_desk.ui.lock_dialog import PASSWORD_NOTE, PasswordSetupDialog
from township_desk.ui.lock_dialog import describe as describe_password
from township_desk.ui.settings import messages
from township_desk.ui.settings.messages import note

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
        layout.addWidget(note(LOCK_NOTE))
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        state, button = describe_password(self.ctx)
        self.state.setText(state)
        self.button.setText(button)

    def open_dialog(self) -> None:
        messages.run_dialog(PasswordSetupDialog(self.ctx, self))
        self.refresh()
