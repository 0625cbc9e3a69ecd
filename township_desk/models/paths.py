"""Where Township Desk keeps its data and finds its bundled files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from township_desk import APP_ID


def data_dir() -> Path:
    """The per-user data folder (created if missing). ``TOWNSHIP_DESK_HOME`` overrides it (tests, portable use)."""
    override = os.environ.get("TOWNSHIP_DESK_HOME")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir(APP_ID, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return data_dir() / "township_desk.db"


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir() -> Path:
    path = data_dir() / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def log_file() -> Path:
    """Today's log file (``logs/township-desk-YYYY-MM-DD.log``): errors, crash traces, a windowed run's output."""
    import datetime as dt

    return logs_dir() / f"township-desk-{dt.date.today().isoformat()}.log"


def cache_dir(name: str) -> Path:
    """A folder kept between runs for a library's cache (``cache/<name>``, e.g. matplotlib's font list)."""
    path = data_dir() / "cache" / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def photos_dir() -> Path:
    path = data_dir() / "photos"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resource_root() -> Path:
    """The folder holding forms/ and other bundled files, in a source checkout and in a PyInstaller bundle."""
    bundled = getattr(sys, "_MEIPASS", None)
    if bundled:
        return Path(bundled)
    return Path(__file__).resolve().parents[2]


def forms_dir() -> Path:
    """The Word templates shipped with the program (forms/*.docx), or those ``TOWNSHIP_DESK_FORMS`` points at."""
    override = os.environ.get("TOWNSHIP_DESK_FORMS")
    if override:
        return Path(override)
    return resource_root() / "forms"


def office_forms_dir() -> Path:
    """``<data>/forms``: the office's own adjusted templates. The install folder is replaced on every upgrade
    (and read-only in a per-machine install), so edits kept there would be lost; here they stay."""
    return data_dir() / "forms"


def form_path(name: str) -> Path:
    """The template ``name`` to print with: the office's adjusted copy in ``office_forms_dir()`` when there is one,
    else the shipped one. ``TOWNSHIP_DESK_FORMS`` (a folder of templates) overrides both."""
    if not os.environ.get("TOWNSHIP_DESK_FORMS"):
        own = office_forms_dir() / name
        if own.is_file():
            return own
    return forms_dir() / name
