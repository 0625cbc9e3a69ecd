"""The start-up password: ask for it when one is set (3 tries), and set/change/clear it from 设置."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from township_desk import APP_NAME
from township_desk.models import security
from township_desk.models.errors import UserError
from township_desk.ui.widgets import ok_cancel_buttons, save_cancel_buttons

MAX_TRIES = 3


class UnlockDialog(QDialog):
    """Asks for the password; accepts when it matches, rejects after ``MAX_TRIES`` wrong ones."""

    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.tries = 0
        self.setWindowTitle(f"{APP_NAME} — 请输入密码")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("本台账设置了启动密码，请输入密码："))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.password)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        layout.addWidget(ok_cancel_buttons(self, self.try_unlock, ok_text="进入", cancel_text="退出"))

    def try_unlock(self) -> None:
        if security.verify(self.db, self.password.text()):
            self.accept()
            return
        self.tries += 1
        self.password.clear()
        left = MAX_TRIES - self.tries
        if left <= 0:
            self.reject()
            return
        self.message.setText(f"密码不正确，还可以再试 {left} 次。")


def unlock_if_needed(ctx, parent: QWidget | None = None) -> bool:
    """True when no password is set or the clerk typed it; False after 3 wrong tries or 退出."""
    if not security.is_set(ctx.db):
        return True
    dialog = UnlockDialog(ctx.db, parent)
    return dialog.exec() == QDialog.DialogCode.Accepted


class PasswordSetupDialog(QDialog):
    """设置 → 启动密码: set, change (needs the old one) or clear (needs the old one)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.setWindowTitle("启动密码")
        has = security.is_set(ctx.db)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("已设置启动密码。修改或清除都需要先输入原密码。" if has else
                                "设置后，每次打开本程序都要输入密码。请牢记密码：忘记后无法找回。"))
        form = QFormLayout()
        self.old = QLineEdit()
        self.new = QLineEdit()
        self.repeat = QLineEdit()
        for edit in (self.old, self.new, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if has:
            form.addRow("原密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("再输入一次", self.repeat)
        layout.addLayout(form)
        self.message = QLabel("")
        self.message.setStyleSheet("color: #b00020")
        layout.addWidget(self.message)
        buttons = save_cancel_buttons(self, self.save)
        self.clear_button = QPushButton("清除密码")
        self.clear_button.setVisible(has)
        buttons.addButton(self.clear_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(buttons)

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            self.message.setText("两次输入的新密码不一致。")
            return
        try:
            security.set_password(self.ctx.db, self.new.text(), self.old.text())
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.ctx.announce_writes()
        self.accept()

    def clear(self) -> None:
        answer = QMessageBox.question(self, "清除密码", "清除后打开本程序不再需要密码。确定清除吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            security.clear_password(self.ctx.db, self.old.text())
        except UserError as exc:
            self.message.setText(str(exc))
            return
        self.ctx.announce_writes()
        self.accept()
