"""Questions, notices and message lines of the 设置 tabs, in one place.

The modal ones (``run_dialog``, ``confirm``, ``inform``, ``ask_unsaved``) are module-level so tests replace
them here (``monkeypatch.setattr(messages, "confirm", ...)``): a modal box would block a test. Callers use them
as ``messages.confirm(...)`` so a replacement is seen everywhere.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QMessageBox, QTableView, QWidget

from township_desk.ui.rows_model import RowsModel

ERROR_STYLE = "color: #b00020"
WARNING_STYLE = "color: #8a4b00"
OK_STYLE = "color: #2e7d32"
NOTE_STYLE = "color: #555"


def run_dialog(dialog: QDialog) -> bool:
    return dialog.exec() == QDialog.DialogCode.Accepted


def confirm(parent: QWidget, title: str, text: str) -> bool:
    return QMessageBox.question(parent, title, text) == QMessageBox.StandardButton.Yes


def inform(parent: QWidget, title: str, text: str, warning: bool = False) -> None:
    (QMessageBox.warning if warning else QMessageBox.information)(parent, title, text)


def ask_unsaved(parent: QWidget, text: str) -> str:
    """"save", "discard" or "cancel"."""
    buttons = QMessageBox.StandardButton
    answer = QMessageBox.question(parent, "设置未保存", text, buttons.Save | buttons.Discard | buttons.Cancel,
                                  buttons.Save)
    return {buttons.Save: "save", buttons.Discard: "discard"}.get(answer, "cancel")


def message_label() -> QLabel:
    """A line for a result or a problem, hidden while it has nothing to say."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setVisible(False)
    return label


def say(label: QLabel, text: str, style: str = ERROR_STYLE) -> None:
    """Show ``text`` in a message line (red unless ``style`` says otherwise); empty text hides it."""
    label.setText(text)
    label.setStyleSheet(style)
    label.setVisible(bool(text))


def note(text: str, wrap: bool = True) -> QLabel:
    """A grey explanation under a form or a list."""
    label = QLabel(text)
    label.setWordWrap(wrap)
    label.setStyleSheet(NOTE_STYLE)
    return label


def select_by_id(view: QTableView, model: RowsModel, row_id: int | None) -> None:
    for number, row in enumerate(model.rows):
        if row["id"] == row_id:
            view.selectRow(number)
            return
