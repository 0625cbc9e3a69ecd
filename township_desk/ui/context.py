"""What every page and dialog is given: the database on the GUI thread, its path, and app-wide signals."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from township_desk.models import db as dbm
from township_desk.models import settings
from township_desk.models.changes import Changes, data_stamp, take


class AppContext(QObject):
    """Shared by the main window and its pages.

    ``db`` belongs to the GUI thread (SQLite: one connection per thread); a background job opens its own
    connection with ``township_desk.models.db.connect(ctx.db_path)``.
    """

    # What a write changed (a ``Changes``): the main window refreshes the pages showing one of its tables.
    changed = Signal(object)
    # The same, one table name at a time ("elders", "visits" ... "*"), for tabs that follow a table themselves.
    data_changed = Signal(str)
    # Ask the main window to show a page (its title, e.g. "台账") with filters for it (page-defined keys).
    navigate_requested = Signal(str, dict)

    def __init__(self, db_path: str | Path, db=None, parent: QObject | None = None,
                 today: dt.date | None = None):
        super().__init__(parent)
        self._today = today  # a fixed office day (tests, the demo); the clock's when None
        self.db_path = Path(db_path)
        self.db = db if db is not None else dbm.connect(self.db_path)
        take(self.db)  # what was written before the window opened (migrations, a test's setup) is no news
        self._seen_version = self._data_version()

    def today(self) -> dt.date:
        """The office's day: the one clock every page reads (models take it as a ``date`` argument)."""
        return self._today or dt.date.today()

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
        return data_stamp(self.db)

    def announce(self, changes: Changes) -> None:
        """Tell the window what was written (a writer's result: ``models.changes.written(result)``); the pages
        showing one of the tables refresh."""
        if not changes:
            return
        # Whatever other connections committed up to now is covered by this announcement (a background job's
        # own connection announces through here when it is done), so the watcher does not announce it again.
        self._seen_version = self._data_version()
        self.changed.emit(changes)
        for table in sorted(changes.tables):
            self.data_changed.emit(table)

    def announce_writes(self) -> Changes:
        """Announce what the writers noted on the window's connection since the last announcement
        (``models.changes.take``): the one call after a write on the GUI thread. Returns it."""
        changes = take(self.db)
        self.announce(changes)
        return changes

    def check_other_writers(self) -> bool:
        """Announce a change ("*") when another connection committed since the last look; the main window calls
        this every few seconds, so what it shows follows an import run from the command line. True if announced."""
        version = self._data_version()
        if version is None or version == self._seen_version:
            return False
        self.announce(Changes.everything())
        return True

    def navigate(self, page_title: str, **filters: Any) -> None:
        self.navigate_requested.emit(page_title, filters)
