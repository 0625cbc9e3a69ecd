"""The ledger's password in the window: asked before the ledger is opened (an encrypted ledger cannot be read
without it), and set / changed / removed from 设置 → 台账密码, with the recovery sheet offered when it is set.

A ledger from before encryption may still carry the old window-only start-up password (``models.security``):
it is asked for after opening, as before, until a real password is set (which replaces it).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from township_desk import APP_NAME
from township_desk.models import cipher, protection, security
from township_desk.models import db as dbm
from township_desk.models.changes import Changes
from township_desk.models.errors import UserError
from township_desk.ui.widgets import ok_cancel_buttons, save_cancel_buttons

MAX_TRIES = 5
ERROR_STYLE = "color: #b00020"

# 设置 → 台账密码: what a password does, said plainly.
PASSWORD_NOTE = ("设置密码后，台账文件和它的每一份备份都会加密：文件被复制走，没有密码也读不出任何内容；命令行和计划任务"
                 "同样需要密码（环境变量 TOWNSHIP_DESK_PASSWORD）。导出的 Excel、打印的 Word 文件不加密，请妥善保管。"
                 "忘记密码时只能用恢复单上的恢复密钥打开。")


def _busy(action):
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        return action()
    finally:
        QApplication.restoreOverrideCursor()


class LedgerUnlockDialog(QDialog):
    """Asks for the password of an encrypted ledger before it is opened; the recovery key works in its place.
    Accepts when the ledger opens (it is then unlocked in this process); rejects after ``MAX_TRIES`` wrong ones."""

    def __init__(self, db_path: str | Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.tries = 0
        self.used_recovery_key = False
        self.setWindowTitle(f"{APP_NAME} — 请输入密码")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        if cipher.key_path(self.db_path).exists():
            title = QLabel("本台账已加密，请输入密码：")
        else:  # no key file beside it: only the recovery key can tell whether it is an encrypted ledger at all
            title = QLabel("这个文件不是普通的台账数据库，旁边也没有它的密钥文件（.key）。如果它是加密的台账，"
                           "请输入恢复单上的恢复密钥：")
            title.setWordWrap(True)
        title.setStyleSheet("font-weight: bold")
        layout.addWidget(title)
        where = QLabel(f"台账：{self.db_path}")
        where.setWordWrap(True)
        where.setStyleSheet("color: #555")
        layout.addWidget(where)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("密码" if cipher.key_path(self.db_path).exists() else "恢复密钥")
        layout.addWidget(self.password)
        hint = QLabel("忘记密码时，可以在这里输入恢复单上的恢复密钥（32 位字母和数字）。")
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #555")
        layout.addWidget(hint)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.message)
        layout.addWidget(ok_cancel_buttons(self, self.try_unlock, ok_text="打开", cancel_text="退出"))

    def try_unlock(self) -> None:
        secret = self.password.text()
        if not secret:
            self.message.setText("请输入密码。")
            return
        try:
            _busy(lambda: cipher.unlock(self.db_path, secret, where="窗口"))
        except UserError as exc:
            self.tries += 1
            self.password.clear()
            left = MAX_TRIES - self.tries
            if left <= 0:
                self.reject()
                return
            self.message.setText(f"{exc}还可以再试 {left} 次。")
            return
        self.used_recovery_key = cipher.parse_recovery_key(secret) is not None
        self.accept()


def unlock_ledger_if_needed(db_path: str | Path, parent: QWidget | None = None) -> bool:
    """True when the ledger at ``db_path`` is plain or already unlocked, or the clerk typed its password (or
    recovery key); False after ``MAX_TRIES`` wrong tries or 退出. After the recovery key, says to set a new
    password."""
    if not protection.is_set(db_path) or cipher.remembered(db_path) is not None:
        return True
    dialog = LedgerUnlockDialog(db_path, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    if dialog.used_recovery_key:
        QMessageBox.information(parent, "已用恢复密钥打开",
                                "已用恢复密钥打开台账。如果忘记了密码，请到“设置 → 台账密码”设置一个新密码"
                                "（“当前密码”一栏填恢复密钥）。")
    return True


class UnlockDialog(QDialog):
    """The old window-only start-up password of a ledger that is not encrypted yet (3 tries)."""

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
        self.message.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.message)
        layout.addWidget(ok_cancel_buttons(self, self.try_unlock, ok_text="进入", cancel_text="退出"))

    def try_unlock(self) -> None:
        if security.verify(self.db, self.password.text()):
            self.accept()
            return
        self.tries += 1
        self.password.clear()
        left = 3 - self.tries
        if left <= 0:
            self.reject()
            return
        self.message.setText(f"密码不正确，还可以再试 {left} 次。")


def unlock_if_needed(ctx, parent: QWidget | None = None) -> bool:
    """The old start-up password of a plain ledger: True when none is set or the clerk typed it (then kept in
    memory on ``ctx`` for ``offer_encryption`` only, never stored)."""
    if not security.is_set(ctx.db):
        return True
    dialog = UnlockDialog(ctx.db, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    ctx.typed_start_password = dialog.password.text()
    return True


OFFER_TEXT = ("这个台账只设置了旧的启动密码：它只挡住本程序的窗口，台账文件本身没有加密——文件被复制走，"
              "用任何 SQLite 工具都能读出全部内容。\n\n"
              "现在可以一键用刚才输入的密码把台账和它的备份加密：数据一条不少，旧的启动密码不再使用，之后打开本程序、"
              "使用命令行都要输入这个密码。完成后会给您恢复单（忘记密码时用它打开），请打印后锁好。")


class EncryptOfferDialog(QDialog):
    """Offered at start to a ledger with only the old window-only start-up password: encrypt it (and its backups)
    with the password just typed, in one click, in the background with progress. ``recovery_key`` once done."""

    def __init__(self, ctx, password: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.password = password
        self.recovery_key: str | None = None
        self.busy = False
        self.setWindowTitle("加密台账")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        intro = QLabel(OFFER_TEXT)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        self.encrypt_button = buttons.addButton("用这个密码加密台账", QDialogButtonBox.ButtonRole.AcceptRole)
        self.later_button = buttons.addButton("以后再说", QDialogButtonBox.ButtonRole.RejectRole)
        self.encrypt_button.setDefault(True)
        self.encrypt_button.clicked.connect(self.encrypt)
        self.later_button.clicked.connect(self.reject)
        layout.addWidget(buttons)
        later = QLabel("选“以后再说”：下次启动还会提示，也可以随时在“设置 → 台账密码”中设置。")
        later.setWordWrap(True)
        later.setStyleSheet("color: #555")
        layout.addWidget(later)

    def encrypt(self) -> None:
        self.busy = True
        self.message.setText("")
        for button in (self.encrypt_button, self.later_button):
            button.setEnabled(False)
        path, password = self.ctx.db_path, self.password
        self.worker = rekey_in_background(self, self.ctx, "正在加密台账和备份",
                                          lambda job: protection.set_password(path, password, job.progress),
                                          self._done, self._failed)

    def _done(self, recovery_key) -> None:
        self.busy = False
        self.recovery_key = recovery_key
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.busy = False
        for button in (self.encrypt_button, self.later_button):
            button.setEnabled(True)
        if isinstance(exc, UserError):
            self.message.setText(f"{exc}（台账未加密，数据没有改动。）")
            return
        from township_desk.ui import crash

        crash.report(exc, None, self)

    def reject(self) -> None:
        if not self.busy:  # not while the file is being replaced
            super().reject()


def offer_encryption(ctx, parent: QWidget | None = None) -> str | None:
    """At start, after the old start-up password was typed (``unlock_if_needed``): offer to encrypt the ledger with
    it (``EncryptOfferDialog``), then show the recovery key. Returns the recovery key when it was done."""
    password = getattr(ctx, "typed_start_password", None)
    ctx.typed_start_password = None  # offered once per start; the password is not kept
    if not password or protection.is_set(ctx.db_path) or not security.is_set(ctx.db):
        return None
    dialog = EncryptOfferDialog(ctx, password, parent)
    dialog.exec()
    if dialog.recovery_key:
        RecoveryKeyDialog(ctx, dialog.recovery_key, parent).exec()
    return dialog.recovery_key


def describe(ctx) -> tuple[str, str]:
    """(what 设置 → 台账密码 says about the ledger now, the button's text)."""
    if protection.is_set(ctx.db_path):
        return "已设置密码，台账和备份已加密：打开本程序和使用命令行都要输入密码。", "修改或清除密码…"
    if security.is_set(ctx.db):
        return ("只设置了旧的启动密码：它只挡住本程序的窗口，台账文件没有加密。请设置台账密码，把台账和备份加密"
                "（设置后旧的启动密码不再使用）。", "设置台账密码…")
    return "未设置密码：台账文件没有加密，打开本程序不需要密码。", "设置密码…"


def _reopen(ctx) -> None:
    """Open the ledger again on the window's connection after its file was replaced, and move the one-window lock
    onto the new file."""
    ctx.db = dbm.connect(ctx.db_path)
    lock = getattr(ctx, "instance_lock", None)
    if lock is not None:
        try:
            lock.lock_identity()
        except (UserError, OSError):
            pass


def rekey_in_background(parent: QWidget, ctx, title: str, action, on_done, on_error):
    """Run ``action(job)`` (it replaces the ledger's file: a minute or more for a large township) in a worker thread
    with progress and the window's connection closed; the ledger is opened again on the window's connection
    before ``on_done(result)`` or ``on_error(exc)``. Returns the job."""
    from township_desk.ui import jobs

    ctx.db.close()  # the file is replaced: no connection of the window may stay open on it

    def done(result) -> None:
        _reopen(ctx)
        on_done(result)

    def failed(exc: BaseException) -> None:
        _reopen(ctx)
        on_error(exc)

    return jobs.run_job(parent, title, action, cancellable=False, on_done=done, on_error=failed)


class PasswordSetupDialog(QDialog):
    """设置 → 台账密码: set (encrypts the ledger and its backups, then offers the recovery sheet), change (needs
    the current password or the recovery key; the recovery key stays) or clear (the ledger becomes plain)."""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.recovery_key: str | None = None
        self.busy = False
        self.has = protection.is_set(ctx.db_path)
        self.setWindowTitle("台账密码")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        if self.has:
            intro = QLabel("台账已加密。修改或清除密码都要先输入当前密码（忘记时可填恢复单上的恢复密钥）。"
                           "修改密码后恢复密钥不变。")
        else:
            intro = QLabel(protection.FORGOTTEN_WARNING)
            intro.setStyleSheet("color: #8a1c1c; font-weight: bold")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.old = QLineEdit()
        self.new = QLineEdit()
        self.repeat = QLineEdit()
        for edit in (self.old, self.new, self.repeat):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if self.has:
            form.addRow("当前密码", self.old)
        form.addRow("新密码", self.new)
        form.addRow("再输入一次", self.repeat)
        layout.addLayout(form)
        self.understood = QCheckBox("我已了解：忘记密码又丢了恢复单，台账无法找回")
        self.understood.setVisible(not self.has)
        layout.addWidget(self.understood)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        self.message.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.message)
        buttons = save_cancel_buttons(self, self.save, save_text="修改密码" if self.has else "设置密码并加密")
        self.clear_button = QPushButton("清除密码")
        if self.has:  # a button added to the box is shown with it: only there when there is something to clear
            buttons.addButton(self.clear_button, QDialogButtonBox.ButtonRole.ResetRole)
        self.clear_button.clicked.connect(self.clear)
        layout.addWidget(buttons)

    def save(self) -> None:
        if self.new.text() != self.repeat.text():
            self.message.setText("两次输入的新密码不一致。")
            return
        if not self.has and not self.understood.isChecked():
            self.message.setText("请先勾选“我已了解……”。")
            return
        path, old, new = self.ctx.db_path, self.old.text(), self.new.text()
        if self.has:
            self._rekey("正在用新密码重新加密台账", lambda _job: protection.change_password(path, old, new))
        else:
            self._rekey("正在加密台账和备份", lambda job: protection.set_password(path, new, job.progress))

    def clear(self) -> None:
        answer = QMessageBox.question(self, "清除密码", "清除后台账文件不再加密，打开本程序和命令行都不再需要密码。"
                                      "已加密的备份仍要当时的密码或恢复密钥才能恢复。确定清除吗？")
        if answer != QMessageBox.StandardButton.Yes:
            return
        path, old = self.ctx.db_path, self.old.text()
        self._rekey("正在解除台账加密", lambda _job: protection.remove_password(path, old))

    def _rekey(self, title: str, action) -> None:
        """Run ``action(job)`` in the background (``rekey_in_background``). ``busy`` while it runs."""
        self.busy = True
        self.message.setText("")
        for widget in (self.old, self.new, self.repeat, self.clear_button):
            widget.setEnabled(False)
        self.worker = rekey_in_background(self, self.ctx, title, action, self._done, self._failed)

    def _finish(self) -> None:
        self.busy = False
        for widget in (self.old, self.new, self.repeat, self.clear_button):
            widget.setEnabled(True)

    def _done(self, result) -> None:
        self._finish()
        self.recovery_key = result if isinstance(result, str) else None
        self.ctx.announce(Changes.of("settings"))
        self.accept()
        if self.recovery_key:
            RecoveryKeyDialog(self.ctx, self.recovery_key, self.parentWidget()).exec()

    def _failed(self, exc: BaseException) -> None:
        self._finish()
        if isinstance(exc, UserError):
            self.message.setText(str(exc))
            return
        from township_desk.ui import crash

        crash.report(exc, None, self)


class RecoveryKeyDialog(QDialog):
    """Shown once after a password is set: the recovery key, and the recovery sheet to save and print."""

    def __init__(self, ctx, recovery_key: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.recovery_key = recovery_key
        self.saved: Path | None = None
        self.setWindowTitle("恢复密钥 — 请打印恢复单")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        done = QLabel("已设置密码，台账和备份已加密。")
        done.setStyleSheet("font-weight: bold")
        layout.addWidget(done)
        layout.addWidget(QLabel("下面是恢复密钥：忘记密码时，只有它能打开台账。它只显示这一次。"))
        key = QLabel(recovery_key)
        key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        key.setAlignment(Qt.AlignmentFlag.AlignCenter)
        key.setStyleSheet("font-family: Consolas, 'DejaVu Sans Mono', monospace; font-size: 20px; font-weight: bold;"
                          " border: 1px solid #888; padding: 10px; background: #fffbe6")
        layout.addWidget(key)
        advice = QLabel("请点“保存恢复单…”存成 Word 文件，打印出来锁在柜子里（不要和电脑放在一起），然后删除这个文件。"
                        "不要把恢复密钥拍照或存在电脑、U 盘、微信里。")
        advice.setWordWrap(True)
        layout.addWidget(advice)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.save_button = QPushButton("保存恢复单…")
        self.save_button.clicked.connect(self.save_sheet)
        row.addWidget(self.save_button)
        row.addStretch(1)
        self.close_button = QPushButton("我已打印或抄下，关闭")
        self.close_button.clicked.connect(self.accept)
        row.addWidget(self.close_button)
        layout.addLayout(row)

    def save_sheet(self, target: str | None = None) -> None:
        from township_desk.printing import recovery_sheet
        from township_desk.ui.widgets import checked_save_path, start_path

        if not target:
            target, _ = QFileDialog.getSaveFileName(self, "保存恢复单", start_path("print", "台账恢复单.docx"),
                                                    "Word 文件 (*.docx)")
        if not target:
            return
        path = checked_save_path(self, "保存恢复单", target, self.ctx.db_path, ".docx")
        if path is None:
            return
        try:
            self.saved = recovery_sheet.write(self.ctx.db_path, self.recovery_key, path)
        except UserError as exc:
            self.message.setStyleSheet(ERROR_STYLE)
            self.message.setText(str(exc))
            return
        self.message.setStyleSheet("color: #1b5e20")
        self.message.setText(f"恢复单已保存到：{self.saved}\n请打印后删除这个文件。")


def backup_password_dialog(parent: QWidget | None, path: Path) -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle("备份已加密")
    dialog.setLabelText(f"备份“{Path(path).name}”是加密的。\n请输入做这份备份时台账的密码，或恢复单上的恢复密钥：")
    dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
    dialog.setOkButtonText("恢复")
    dialog.setCancelButtonText("取消")
    dialog.setMinimumWidth(460)
    return dialog


def ask_backup_password(parent: QWidget | None, path: Path) -> str | None:
    """The password of an encrypted backup (the one the ledger had when it was taken, or the recovery key); None
    when the clerk cancels. A wrong one is said by the restore itself, before anything is changed."""
    dialog = backup_password_dialog(parent, path)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return dialog.textValue() or None
