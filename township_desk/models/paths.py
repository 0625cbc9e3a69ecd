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
    """The Word templates (forms/*.docx). ``TOWNSHIP_DESK_FORMS`` points at an office's adjusted copies."""
    override = os.environ.get("TOWNSHIP_DESK_FORMS")
    if override:
        return Path(override)
    return resource_root() / "forms"
