"""What an editor says when its record was changed by someone else since it was opened (``StaleRecord``).

One wording and one choice for every editor: 重新载入 shows the record as it is stored now (what the clerk typed
is dropped, the dialog stays open), 取消 keeps the dialog as it is so the clerk can note what they meant to change.
Nothing is ever saved over the other change. Module-level so tests replace ``offer_reload``.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from township_desk.models.errors import StaleRecord

TITLE = "记录已被修改"
RELOAD = "重新载入"
HINT = "点“重新载入”显示现在保存的内容（您刚才在本窗口的修改将放弃，可以重新修改后再保存）；点“取消”先不载入。"


def reload_box(parent: QWidget | None, exc: StaleRecord) -> tuple[QMessageBox, QPushButton]:
    """The box ``offer_reload`` shows, and its 重新载入 button."""
    box = QMessageBox(QMessageBox.Icon.Warning, TITLE, f"{exc}\n\n{HINT}", QMessageBox.StandardButton.NoButton,
                      parent)
    reload_button = box.addButton(RELOAD, QMessageBox.ButtonRole.AcceptRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(reload_button)
    return box, reload_button


def offer_reload(parent: QWidget | None, exc: StaleRecord) -> bool:
    """Tell the clerk the record changed meanwhile and nothing was saved; True when they chose 重新载入."""
    box, reload_button = reload_box(parent, exc)
    box.exec()
    return box.clickedButton() is reload_button
