"""What every page and dialog is given: the database on the GUI thread, its path, and app-wide signals."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from township_desk.models import db as dbm
from township_desk.models import settings


class AppContext(QObject):
    """Shared by the main window and its pages.

    ``db`` belongs to the GUI thread (SQLite: one connection per thread); a background job opens its own
    connection with ``township_desk.models.db.connect(ctx.db_path)``.
    """

    # A table changed ("elders", "visits", "assessments", "hazards", "agreements", "settings", "*"):
    # pages showing it refresh.
    data_changed = Signal(str)
    # Ask the main window to show a page (its title, e.g. "台账") with filters for it (page-defined keys).
    navigate_requested = Signal(str, dict)

    def __init__(self, db_path: str | Path, db=None, parent: QObject | None = None):
        super().__init__(parent)
        self.db_path = Path(db_path)
        self.db = db if db is not None else dbm.connect(self.db_path)
        self._seen_version = self._data_version()

    def settings(self) -> dict[str, Any]:
        return settings.get_all(self.db)

    def _data_version(self) -> int | None:
        """SQLite's ``PRAGMA data_version`` of the window's connection: it moves when another connection (another
        program, the command line, a background job) commits, never for this connection's own writes."""
        try:
            return self.db.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:  # closed for a moment (a restore swaps the file): nothing to compare
            return None

    def data_key(self) -> tuple:
        """The database as this window sees it now: a page that remembers this when it loads can skip a reload
        when nothing changed (this connection's own writes and other connections' commits both count)."""
        conn = self.db.conn
        return id(conn), conn.total_changes, self._data_version()

    def notify(self, table: str) -> None:
        # Whatever other connections committed up to now is covered by this announcement (a background job's
        # own connection announces through here when it is done), so the watcher does not announce it again.
        self._seen_version = self._data_version()
        self.data_changed.emit(table)

    def check_other_writers(self) -> bool:
        """Announce a change ("*") when another connection committed since the last look; the main window calls
        this every few seconds, so what it shows follows an import run from the command line. True if announced."""
        version = self._data_version()
        if version is None or version == self._seen_version:
            return False
        self.notify("*")
        return True

    def navigate(self, page_title: str, **filters: Any) -> None:
        self.navigate_requested.emit(page_title, filters)
