"""Answer the after-save question (``ui.after_save.ask_after_save``: 打开 / 打印 / 关闭) as a clerk would: the real
message box is shown, what it says is recorded, and one of its buttons is clicked."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

THREE_BUTTONS = sorted(("打开", "打印", "关闭"))  # in the order the platform lays them out


def answer_after_save(button_text: str, seen: list) -> None:
    """Click ``button_text`` on the next message box once it shows; (title, text, informative text, sorted button texts)
    goes to ``seen``."""

    def click():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, click)
            return
        seen.append((box.windowTitle(), box.text(), box.informativeText(), sorted(b.text() for b in box.buttons())))
        next(b for b in box.buttons() if b.text() == button_text).click()

    QTimer.singleShot(0, click)


def launches(monkeypatch) -> tuple[list, list]:
    """The files opened (open_in_system) and printed (print_in_system), instead of launching Word/WPS."""
    from township_desk.ui import widgets

    opened, printed = [], []
    monkeypatch.setattr(widgets, "open_in_system", lambda parent, path, **kw: opened.append(str(path)) or True)
    monkeypatch.setattr(widgets, "print_in_system", lambda parent, path, **kw: printed.append(str(path)) or True)
    return opened, printed
