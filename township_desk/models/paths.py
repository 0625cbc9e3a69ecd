"""Where Township Desk keeps its data and finds its bundled files."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from township_desk import APP_ID

CONFIG_NAME = "config.json"


def config_path() -> Path:
    """The small settings file of this PC, outside any database: the data folder and the second backup place.

    ``TOWNSHIP_DESK_CONFIG`` names another file (tests, portable use); otherwise it is ``config.json`` in the
    per-user config folder (platformdirs: ``%LOCALAPPDATA%\\TownshipDesk`` on Windows,
    ``~/.config/TownshipDesk`` on Linux).
    """
    override = os.environ.get("TOWNSHIP_DESK_CONFIG")
    if override:
        return Path(override)
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_ID, appauthor=False)) / CONFIG_NAME


def local_config() -> dict:
    """The settings of this PC (``config_path()``); an unreadable or missing file reads as no settings."""
    try:
        data = json.loads(config_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_local_config(**changes) -> dict:
    """Write ``changes`` into the settings of this PC (a value of None removes the key); returns them all.

    Written to a temporary name and renamed, so a crash leaves the old file whole.
    """
    data = local_config()
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    target = config_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, target)
    return data


def default_data_dir() -> Path:
    """The per-user data folder platformdirs gives (used when nothing else is chosen)."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_ID, appauthor=False))


def data_dir(*, create: bool = True) -> Path:
    """The data folder (created if missing, unless ``create=False``): ``TOWNSHIP_DESK_HOME`` if set (tests,
    portable use), else the folder chosen in 设置 → 备份与恢复 (``data_dir`` in ``config_path()``), else
    ``default_data_dir()``."""
    override = os.environ.get("TOWNSHIP_DESK_HOME") or local_config().get("data_dir")
    path = Path(override) if override else default_data_dir()
    if create:
        path.mkdir(parents=True, exist_ok=True)
    return path


def second_backup_dir() -> Path | None:
    """The second backup place chosen in 设置 (another disk, a USB stick), or None. Not created here: a missing
    folder means the stick is not plugged in, which the caller reports."""
    chosen = local_config().get("second_backup_dir")
    return Path(chosen) if chosen else None


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
