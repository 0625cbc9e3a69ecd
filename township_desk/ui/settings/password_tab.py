"""启动密码: whether one is set, and the dialog to set, change or clear it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from township_desk.models import security
from township_desk.ui.lock_dialog import PasswordSetupDialog
from township_desk.ui.settings import messages
from township_desk.ui.settings.messages import note

# What the start-up password does and does not do, said plainly (it is not encryption).
LOCK_NOTE = ("启动密码只能防止路过的人在这台电脑上打开本程序查看老人信息。它不加密数据：数据库文件和备份文件"
             "一旦被复制走，不需要密码就能读出全部内容。请把电脑、U 盘和备份文件保管好。忘记密码无法找回。")


class PasswordTab(QWidget):
    """启动密码: whether one is set, and the dialog to set, change or clear it."""

    title = "启动密码"

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
        if security.is_set(self.ctx.db):
            self.state.setText("已设置启动密码：每次打开本程序都要输入密码。")
            self.button.setText("修改或清除密码…")
        else:
            self.state.setText("未设置启动密码：打开本程序不需要密码。")
            self.button.setText("设置密码…")

    def open_dialog(self) -> None:
        messages.run_dialog(PasswordSetupDialog(self.ctx, self))
        self.refresh()
