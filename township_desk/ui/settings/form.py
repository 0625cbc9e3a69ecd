"""The base of the 设置 tabs that hold values (基本信息, 认定政策, 巡访频次): load, tell unsaved typing, save."""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QPushButton, QWidget

from township_desk.models import settings
from township_desk.models.errors import StaleRecord, UserError
from township_desk.ui import stale
from township_desk.ui.settings.messages import OK_STYLE, WARNING_STYLE, message_label, say


class SettingsForm(QWidget):
    """A tab of settings values with 保存: keeps what was loaded to tell whether the clerk changed anything.

    A tab sets ``title`` and fills ``self.body``; it implements ``show_values``, ``values`` and
    ``checked_values`` (and may override ``store``, ``after_save`` and ``clear_messages``)."""

    title = ""

    def __init__(self, ctx, parent: QWidget | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self._loaded: dict[str, Any] = {}
        self._versions: dict[str, int] = {}  # settings.key_versions as last read: a save is checked against it
        self.save_button = QPushButton("保存")
        self.save_button.clicked.connect(self.save)
        self.result_label = message_label()
        # Forms read best at a moderate width; the rest of the tab stays empty on a wide screen.
        self.body = QWidget()
        self.body.setMaximumWidth(860)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.body, 1)
        outer.addStretch(0)

    def button_row(self, *extra: QPushButton) -> QHBoxLayout:
        """保存 (and any extra buttons) on the left, the result of the last save beside them."""
        row = QHBoxLayout()
        row.addWidget(self.save_button)
        for button in extra:
            row.addWidget(button)
        row.addWidget(self.result_label, 1)
        row.addStretch(0)
        return row

    def load(self) -> None:
        """Show the stored values (dropping anything typed and not saved)."""
        self._versions = settings.key_versions(self.ctx.db)
        self.show_values(settings.get_all(self.ctx.db))
        self._loaded = self.values()
        self.clear_messages()

    def is_dirty(self) -> bool:
        return self.values() != self._loaded

    def refresh(self) -> None:
        """Reload from the database unless the clerk is in the middle of typing changes (messages stay)."""
        if not self.is_dirty():
            self._versions = settings.key_versions(self.ctx.db)
            self.show_values(settings.get_all(self.ctx.db))
            self._loaded = self.values()

    def save(self) -> bool:
        """Check the values; save them (audited) and tell every page that settings changed. False when refused."""
        self.clear_messages()
        values, ok = self.checked_values()
        if not ok:
            say(self.result_label, "未保存：请按红字改正后再保存。")
            return False
        try:
            self.store(values)
        except StaleRecord as exc:
            say(self.result_label, f"未保存：{exc}")
            if stale.offer_reload(self, exc):
                self.load()
                say(self.result_label, "已重新载入现在保存的设置，请重新修改后再保存。", WARNING_STYLE)
            return False
        except UserError as exc:
            say(self.result_label, f"未保存：{exc}")
            return False
        self._versions = settings.key_versions(self.ctx.db)
        self.show_values(settings.get_all(self.ctx.db))  # as stored: trimmed names, phone digits
        self._loaded = self.values()
        self.after_save(values)
        self.ctx.announce_writes()
        return True

    def after_save(self, values: dict[str, Any]) -> None:
        say(self.result_label, f"已保存（{dt.datetime.now():%H:%M:%S}）。", OK_STYLE)

    def store(self, values: dict[str, Any]) -> None:
        settings.put(self.ctx.db, values, expected_versions=self._versions)

    # subclasses
    def show_values(self, values: dict[str, Any]) -> None:
        raise NotImplementedError

    def values(self) -> dict[str, Any]:
        raise NotImplementedError

    def checked_values(self) -> tuple[dict[str, Any], bool]:
        raise NotImplementedError

    def clear_messages(self) -> None:
        say(self.result_label, "")
