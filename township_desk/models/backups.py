"""Backups of the ledger database: automatic (once a day, on closing), by hand, and putting one back.

Every copy is made with SQLite's online backup API (``db.backup_to``), so it is consistent even while the
window is writing, and is written under a temporary name and renamed, so a crash never leaves half a backup.

Automatic backups live in ``paths.backups_dir()`` and are named ``<数据库名>_<YYYYMMDD-HHMMSS>_<kind>.db``
(kind ``daily`` or ``close``); only these are ever pruned (the newest ``KEEP_AUTOMATIC`` of each database are
kept). Copies kept before a restore (``before-restore_…``) and backups the clerk made elsewhere are never deleted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from township_desk.models import audit, paths
from township_desk.models import db as dbm
from township_desk.models.errors import UserError
from township_desk.models.files import hide_temporary, reveal

KEEP_AUTOMATIC = 30
_STAMP = "%Y%m%d-%H%M%S"
_AUTO = re.compile(r"^(?P<db>.+)_(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?_(?P<kind>daily|close)\.db$")
_BEFORE = re.compile(r"^before-restore_(?P<db>.+)_(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.db$")
KIND_LABELS = {"daily": "每日自动", "close": "关闭时自动", "before-restore": "恢复前保留", "manual": "手动"}
_SQLITE_HEADER = b"SQLite format 3\x00"


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, read without changing it."""

    path: Path
    taken_at: dt.datetime          # from an automatic backup's name, otherwise the file's modification time
    kind: str                      # daily / close / before-restore / manual (see KIND_LABELS)
    schema_version: int
    elders: int
    visits: int
    agreements: int
    township_name: str
    last_change_at: str | None     # the newest audit-log entry: how current the ledger in it is
    size_bytes: int

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def summary(self) -> str:
        """One Chinese line for the clerk: when, whose, and how much it holds."""
        township = f"{self.township_name}，" if self.township_name else ""
        return (f"{township}备份时间 {self.taken_at:%Y-%m-%d %H:%M:%S}；老人 {self.elders} 人，"
                f"巡访记录 {self.visits} 条，互助协议 {self.agreements} 份")


# ---------------------------------------------------------------------------------------------- names

def _now() -> dt.datetime:
    return dt.datetime.now().replace(microsecond=0)


def _unique(folder: Path, make_name) -> Path:
    """A name not yet taken in ``folder``: two backups in the same second get ``-2``, ``-3`` …"""
    path = folder / make_name("")
    n = 2
    while path.exists():
        path = folder / make_name(f"-{n}")
        n += 1
    return path


def _auto_name(db_path: Path, kind: str, when: dt.datetime) -> Path:
    folder = paths.backups_dir()
    return _unique(folder, lambda n: f"{db_path.stem}_{when.strftime(_STAMP)}{n}_{kind}.db")


def automatic_backups(db_path: str | Path) -> list[Path]:
    """The automatic backups of this database in the backups folder, newest first."""
    stem = Path(db_path).stem
    found = []
    for entry in paths.backups_dir().iterdir():
        m = _AUTO.match(entry.name)
        if m and m.group("db") == stem and entry.is_file():
            found.append((m.group("stamp"), int(m.group("n") or 1), entry))
    found.sort(reverse=True)
    return [entry for _s, _n, entry in found]


def backups_in_folder() -> list[Path]:
    """Every backup in the backups folder (automatic and before-restore copies), newest first."""
    found = []
    for entry in paths.backups_dir().iterdir():
        m = _AUTO.match(entry.name) or _BEFORE.match(entry.name)
        if m and entry.is_file():
            found.append((m.group("stamp"), int(m.group("n") or 1), entry))
    found.sort(reverse=True)
    return [entry for _s, _n, entry in found]


def _prune(db_path: Path, keep_path: Path) -> list[Path]:
    """Delete this database's automatic backups beyond the newest ``KEEP_AUTOMATIC``; never ``keep_path``."""
    removed = []
    others = [p for p in automatic_backups(db_path) if p != keep_path]
    for old in others[KEEP_AUTOMATIC - 1:]:
        with contextlib.suppress(OSError):  # a copy open elsewhere is left for next time
            old.unlink()
            removed.append(old)
    return removed


# ---------------------------------------------------------------------------------------------- taking

def backup(db, target: str | Path) -> Path:
    """Write a consistent copy of the open database to ``target`` (the clerk's own choice of file).

    Refuses the live database itself and a missing folder; a full disk or a read-only place gives a Chinese
    ``UserError`` and leaves no half-written file.
    """
    target = Path(target)
    if not target.parent.exists():
        raise UserError(f"保存备份的文件夹不存在：{target.parent}")
    if target.is_dir():
        raise UserError(f"“{target}”是文件夹，请给出备份文件的名称。")
    live = _live_path(db)
    if live is not None and target.exists() and target.resolve() == live.resolve():
        raise UserError("备份文件不能与正在使用的数据库是同一个文件，请另选位置。")
    part = target.with_name(target.name + ".part")
    try:
        return dbm.backup_to(db, target)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        raise _write_error(exc, target) from exc


def _write_error(exc: BaseException, target: Path) -> UserError:
    text = str(exc).lower()
    errno = getattr(exc, "errno", None)
    if errno == 28 or "full" in text:
        return UserError(f"磁盘已满，备份“{target.name}”未能完成。原有数据不受影响，请腾出空间或换一个位置。")
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text or "unable to open" in text:
        return UserError(f"没有权限在“{target.parent}”写入备份，请换一个保存位置（例如 U 盘或“文档”文件夹）。")
    return UserError(f"备份“{target.name}”未能完成：{exc}")


def _live_path(db) -> Path | None:
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def daily_backup_if_due(db, db_path: str | Path, *, now: dt.datetime | None = None) -> Path | None:
    """Make today's automatic backup unless this database already has one dated today; returns it or None.

    Called when the window starts. Keeps the newest ``KEEP_AUTOMATIC`` automatic backups.
    """
    db_path = Path(db_path)
    now = now or _now()
    today = now.strftime("%Y%m%d")
    for existing in automatic_backups(db_path):
        if _AUTO.match(existing.name).group("stamp").startswith(today):
            return None
    return _automatic(db, db_path, "daily", now)


def backup_on_close(db, db_path: str | Path, *, now: dt.datetime | None = None) -> Path | None:
    """Make an automatic backup when the window closes, unless nothing changed since the newest one.

    "Changed" is judged by the database and its write-ahead log being modified after that backup was
    written, so opening the program to look something up does not push older backups out of the 30 kept.
    """
    db_path = Path(db_path)
    latest = automatic_backups(db_path)
    if latest and not _modified_after(db_path, latest[0]):
        return None
    return _automatic(db, db_path, "close", now or _now())


def _modified_after(db_path: Path, backup_file: Path) -> bool:
    taken = backup_file.stat().st_mtime_ns
    for candidate in (db_path, db_path.with_name(db_path.name + "-wal")):
        with contextlib.suppress(OSError):
            # ">=": on a coarse clock a write in the same tick as the backup counts as a change.
            if candidate.stat().st_mtime_ns >= taken:
                return True
    return False


def _automatic(db, db_path: Path, kind: str, now: dt.datetime) -> Path:
    target = _auto_name(db_path, kind, now)
    made = backup(db, target)
    _prune(db_path, made)
    return made


# ---------------------------------------------------------------------------------------------- reading

def _open_read_only(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro"
    return sqlite3.connect(uri, uri=True)


def _count(conn: sqlite3.Connection, tables: set[str], table: str) -> int:
    if table not in tables:
        return 0
    return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # table name from our own list


def _kind_and_time(path: Path) -> tuple[str, dt.datetime]:
    for kind_re in (_AUTO, _BEFORE):
        m = kind_re.match(path.name)
        if m:
            kind = m.groupdict().get("kind") or "before-restore"
            return kind, dt.datetime.strptime(m.group("stamp"), _STAMP)
    return "manual", dt.datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)


def inspect_backup(path: str | Path) -> BackupInfo:
    """Read what a backup holds without changing it.

    Raises ``UserError`` (Chinese) for a missing file, a file that is not a Township Desk database, and one
    written by a newer version of the program than this one.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到备份文件：{path}")
    with open(path, "rb") as fh:
        header = fh.read(16)
    if header != _SQLITE_HEADER:
        raise UserError(f"“{path.name}”不是本程序的备份文件（不是数据库文件），未作任何改动。")
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        raise UserError(f"无法打开备份文件“{path.name}”：{exc}") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"elders", "villages", "settings"} <= tables:
            raise UserError(f"“{path.name}”是其他程序的数据库，不是留守老人台账的备份，未作任何改动。")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > dbm.latest_version():
            raise UserError(
                f"“{path.name}”由更新版本的本程序写入（数据格式第 {version} 版，本程序只认识到第 "
                f"{dbm.latest_version()} 版），不能用本程序恢复。请先安装最新版本。")
        row = conn.execute("SELECT value FROM settings WHERE key = 'township_name'").fetchone()
        township = ""
        if row:
            with contextlib.suppress(ValueError, TypeError):
                township = str(json.loads(row[0]) or "")
        last = conn.execute("SELECT max(at) FROM audit_log").fetchone()[0] if "audit_log" in tables else None
        kind, taken = _kind_and_time(path)
        return BackupInfo(path=path, taken_at=taken, kind=kind, schema_version=version,
                          elders=_count(conn, tables, "elders"), visits=_count(conn, tables, "visits"),
                          agreements=_count(conn, tables, "agreements"), township_name=township,
                          last_change_at=last, size_bytes=path.stat().st_size)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"备份文件“{path.name}”已损坏，无法读取：{exc}") from exc
    finally:
        conn.close()


def check_backup(path: str | Path) -> BackupInfo:
    """``inspect_backup`` plus SQLite's full ``integrity_check`` and every table and column its schema version
    should have: a damaged or incomplete copy is refused before restoring."""
    info = inspect_backup(path)
    conn = _open_read_only(Path(path))
    try:
        result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        missing = dbm.missing_schema(conn, info.schema_version)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"备份文件“{Path(path).name}”已损坏，不能用来恢复：{exc}") from exc
    finally:
        conn.close()
    if result != ["ok"]:
        raise UserError(f"备份文件“{Path(path).name}”已损坏（完整性检查未通过：{result[0]}），不能用来恢复。")
    if missing:
        raise UserError(f"备份文件“{Path(path).name}”缺少台账的数据表或字段（{'、'.join(missing[:5])}），"
                        "不能用来恢复。请选另一个备份。")
    return info


# ---------------------------------------------------------------------------------------------- restoring

def _keep_current(db_path: Path, now: dt.datetime) -> Path | None:
    """Copy the database about to be replaced into the backups folder; a damaged one is copied byte for byte."""
    if not db_path.exists():
        return None
    target = _unique(paths.backups_dir(), lambda n: f"before-restore_{db_path.stem}_{now.strftime(_STAMP)}{n}.db")
    try:
        conn = sqlite3.connect(str(db_path))
        try:
            dbm.backup_to(_ConnHolder(conn), target)
        finally:
            conn.close()
    except sqlite3.Error:
        # Unreadable as a database (the usual reason to restore): keep the raw files, WAL included.
        try:
            shutil.copy2(db_path, target)
            wal = db_path.with_name(db_path.name + "-wal")
            if wal.exists():
                shutil.copy2(wal, target.with_name(target.name + "-wal"))
        except OSError as exc:
            raise _write_error(exc, target) from exc
    except OSError as exc:
        raise _write_error(exc, target) from exc
    return target


class _ConnHolder:
    """Lets ``backup_to`` (which expects a sqlite-utils Database) copy a plain sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn


def _settle_live(db_path: Path) -> None:
    """Fold the write-ahead log into the live file and remove -wal/-shm, so nothing of the old file remains
    beside the new one (SQLite would replay an old WAL onto the restored file)."""
    try:
        conn = sqlite3.connect(str(db_path), timeout=5.0)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        text = str(exc).lower()
        if "locked" in text or "busy" in text:
            raise UserError("数据库正被其他窗口或程序使用，无法恢复。请关闭本程序的其他窗口后重试。") from exc
        # A damaged file: its raw copy is already kept, so its WAL can go.
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            db_path.with_name(db_path.name + suffix).unlink()


def restore(db_path: str | Path, backup_path: str | Path, *, now: dt.datetime | None = None) -> Path | None:
    """Put a backup back in place of the database at ``db_path``; returns the copy kept of what it replaced.

    The caller must have closed its own connections to ``db_path`` first. The backup is checked
    (``integrity_check``, ours, not newer) before anything is touched; the current file is copied to
    ``backups_dir()/before-restore_…``; the backup is copied with the backup API to a temporary file beside the
    database and renamed over it (``os.replace``); stale -wal/-shm files are removed; an older backup is then
    migrated up, and the restore is written to the audit log ("恢复").
    """
    db_path = Path(db_path)
    backup_path = Path(backup_path)
    now = now or _now()
    if db_path.exists() and backup_path.resolve() == db_path.resolve():
        raise UserError("所选文件就是正在使用的数据库本身，不能用它来恢复。")
    if not db_path.parent.exists():
        raise UserError(f"数据库所在的文件夹不存在：{db_path.parent}")
    info = check_backup(backup_path)
    kept = _keep_current(db_path, now)

    tmp = db_path.with_name(f".{db_path.name}.restoring")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    try:
        src = _open_read_only(backup_path)
        dest = sqlite3.connect(str(tmp))
        hide_temporary(tmp)
        try:
            src.backup(dest)
            dest.execute("PRAGMA journal_mode = DELETE")
            dest.commit()
        finally:
            dest.close()
            src.close()
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        if db_path.exists():
            _settle_live(db_path)
        reveal(tmp)  # the hidden attribute would move with the file onto the ledger itself
        os.replace(tmp, db_path)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, PermissionError):
            raise UserError("数据库文件正被其他程序占用或没有写入权限，无法恢复。原数据未改动。") from exc
        raise _write_error(exc, db_path) from exc
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            db_path.with_name(db_path.name + suffix).unlink()

    restored = dbm.connect(db_path)  # migrates an older backup up to this program's schema
    try:
        with restored.atomic():
            audit.record(restored, "恢复", "database", None, f"从备份恢复：{backup_path.name}", None,
                         str(kept.name) if kept else None, info.summary())
    finally:
        restored.close()
    return kept
