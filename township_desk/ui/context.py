"""What every page and dialog is given: the database on the GUI thread, its path, and app-wide signals."""

from __future__ import annotations

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

    def settings(self) -> dict[str, Any]:
        return settings.get_all(self.db)

    def notify(self, table: str) -> None:
        self.data_changed.emit(table)

    def navigate(self, page_title: str, **filters: Any) -> None:
        self.navigate_requested.emit(page_title, filters)
