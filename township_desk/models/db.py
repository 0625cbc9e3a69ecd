"""Opening the ledger database: pragmas, numbered migrations (PRAGMA user_version), one-copy lock.

Every write goes through ``db.atomic()`` (sqlite-utils 4: BEGIN/COMMIT, nested blocks use savepoints).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import sqlite_utils

from township_desk.models import files, paths
from township_desk.models.errors import AlreadyRunning, DatabaseUnavailable
from township_desk.models.migrations import STEPS, load_step

# ``PRAGMA application_id`` of every Township Desk database ("TDsk"); stamped by migration 5.
APPLICATION_ID = 0x5444736B
# Tables and columns every Township Desk database has had since migration 1: how a file written before the
# stamp existed is recognised as ours. Anything else without the stamp is another program's file.
_SIGNATURE = {
    "elders": {"id_number", "name", "name_initials", "village_id", "birth_date"},
    "villages": {"name", "committee"},
    "settings": {"key", "value"},
    "audit_log": set(),
}
_SQLITE_MAGIC = b"SQLite format 3\x00"


def latest_version() -> int:
    return len(STEPS)


def _friendly(exc: sqlite3.Error, path: Path) -> DatabaseUnavailable:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return DatabaseUnavailable(f"数据库文件正被其他程序占用（{path}），请关闭其他程序后重试。没有任何数据丢失。")
    if "readonly" in text or "read-only" in text:
        return DatabaseUnavailable(f"数据库文件是只读的，无法保存（{path}）。请检查文件属性或存放位置的写入权限。")
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return DatabaseUnavailable(f"该文件不是本程序的数据库或已损坏（{path}）。请从“设置 → 备份与恢复”恢复最近的备份。")
    if "unable to open" in text:
        return DatabaseUnavailable(f"无法打开数据库文件（{path}）：文件夹不存在或没有权限。")
    if "disk" in text and ("full" in text or "i/o" in text):
        return DatabaseUnavailable(f"磁盘已满或无法写入（{path}），请腾出空间后重试。已保存的数据不受影响。")
    return DatabaseUnavailable(f"数据库出错（{path}）：{exc}")


def is_network_path(path: Path) -> bool:
    """True for a Windows network share (UNC path or mapped network drive); WAL is unsafe there."""
    text = str(path)
    if text.startswith("\\\\") or text.startswith("//"):
        return True
    if os.name == "nt":
        try:
            import ctypes

            drive = os.path.splitdrive(os.path.abspath(text))[0] + "\\"
            return ctypes.windll.kernel32.GetDriveTypeW(drive) == 4  # DRIVE_REMOTE
        except Exception:  # pragma: no cover - best effort on Windows only
            return False
    return False


def _header(path: Path) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(100)
    except OSError as exc:
        raise DatabaseUnavailable(f"无法读取数据库文件（{path}）：{exc.strerror or exc}") from exc


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    """A URI that opens ``path`` for reading only; ``immutable`` also keeps SQLite from making a -shm file."""
    from urllib.request import pathname2url

    return f"file:{pathname2url(str(path.resolve()))}?mode=ro" + ("&immutable=1" if immutable else "")


def _inspect(path: Path) -> tuple[int, int, bool, bool]:
    """(application_id, user_version, has the ledger's own tables, has no tables) of a SQLite file, read only.

    When a -wal file lies beside it (a ledger whose last writer was killed before a checkpoint), the header in
    the main file may be stale, so the figures are read through SQLite with the WAL applied.
    """
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    try:
        conn = sqlite3.connect(_read_only_uri(path, immutable=not has_wal), uri=True)
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"该文件不是本程序的数据库或已损坏（{path}），未作任何改动。") from exc
    try:
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        ours = True
        for table, columns in _SIGNATURE.items():
            found = {row[1] for row in conn.execute(f"PRAGMA table_info([{table}])")}
            if not found or not columns <= found:
                ours = False
        empty = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
        return app_id, version, ours, empty
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(f"该文件不是本程序的数据库或已损坏（{path}），未作任何改动。") from exc
    finally:
        conn.close()


def recognise(path: str | Path) -> None:
    """Refuse, before anything is written, a file that is not a Township Desk database this version can open.

    A missing or empty file is a new ledger. A file stamped with ``APPLICATION_ID`` is ours; a file without the
    stamp is ours only if it has the ledger's own tables (written before the stamp existed; migration 5 stamps
    it) or no tables at all. Anything else, and a file from a newer version of the program, raises
    ``DatabaseUnavailable`` and is left byte for byte as it was.
    """
    path = Path(path)
    if not path.exists() or path.stat().st_size == 0:
        return
    if not _header(path).startswith(_SQLITE_MAGIC):
        raise DatabaseUnavailable(f"该文件不是本程序的数据库或已损坏（{path}），未作任何改动。")
    app_id, version, ours, empty = _inspect(path)
    mine = app_id == APPLICATION_ID or (app_id == 0 and (ours or empty))
    if mine and version > latest_version():
        raise DatabaseUnavailable(
            f"该数据库由更新版本的本程序写入（数据格式第 {version} 版，本程序只认识到第 {latest_version()} 版），"
            "为避免损坏数据，已拒绝打开。请安装最新版本后再打开。"
        )
    if not mine or (app_id == 0 and empty and version != 0):
        raise DatabaseUnavailable(f"该文件是其他程序的数据库，不是留守老人台账（{path}），未作任何改动。")


def database_uuid(db: sqlite_utils.Database) -> str:
    """The UUID this database was given when it was made (migration 5): its identity for backups and locks."""
    return db.execute("SELECT uuid FROM ledger_identity LIMIT 1").fetchone()[0]


def connect(path: str | Path | None = None, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the ledger database at ``path`` (default: the per-user data folder).

    Sets WAL (rollback journal on a network share), foreign keys and a busy timeout, then applies pending
    migrations. Raises ``DatabaseUnavailable`` with a Chinese message for a file that is locked, read-only,
    damaged, written by a newer version of the program, or not a Township Desk database.
    """
    db_path = Path(path) if path is not None else paths.default_db_path()
    if db_path.exists() and db_path.is_dir():
        raise DatabaseUnavailable(f"“{db_path}”是文件夹，不是数据库文件。")
    if not db_path.parent.exists():
        raise DatabaseUnavailable(f"数据库所在的文件夹不存在：{db_path.parent}")
    recognise(db_path)
    try:
        conn = sqlite3.connect(str(db_path), timeout=5.0, isolation_level=None, check_same_thread=True)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 5000")
        mode = "DELETE" if is_network_path(db_path) else "WAL"
        current = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if current.upper() != mode:
            conn.execute(f"PRAGMA journal_mode = {mode}")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise _friendly(exc, db_path) from exc
    db = sqlite_utils.Database(conn)
    if migrate:
        try:
            migrate_database(db, db_path)
        except sqlite3.Error as exc:
            raise _friendly(exc, db_path) from exc
    return db


def schema_version(db: sqlite_utils.Database) -> int:
    return db.execute("PRAGMA user_version").fetchone()[0]


def migrate_database(db: sqlite_utils.Database, db_path: Path | None = None) -> list[int]:
    """Apply pending numbered migrations, each in its own transaction together with its user_version.

    Before migrating a database that already holds data, a copy is kept beside it
    (``<name>.before-v<N>.bak``) so an upgrade can never lose the clerk's ledger. Returns the steps applied.
    """
    current = schema_version(db)
    pending = list(range(current + 1, latest_version() + 1))
    if not pending:
        return []
    if current > 0 and db_path is not None and db_path.exists():
        backup_to(db, db_path.with_name(f"{db_path.name}.before-v{pending[-1]}.bak"))
    for number in pending:
        step = load_step(number)
        with db.atomic():
            step.apply(db)
            db.execute(f"PRAGMA user_version = {number:d}")
    return pending


def backup_to(db: sqlite_utils.Database, target: str | Path) -> Path:
    """Write a consistent copy of the open database to ``target`` with SQLite's online backup API.

    The copy is written under a temporary name and renamed, so a crash never leaves half a backup.
    """
    target = Path(target)
    tmp = target.with_name(target.name + ".part")
    if tmp.exists():
        tmp.unlink()
    dest = sqlite3.connect(str(tmp))
    try:
        db.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
        dest.commit()
    finally:
        dest.close()
    files.replace_file(tmp, target)  # retried while an antivirus holds the new copy
    return target


class InstanceLock:
    """An OS file lock beside the database so that only one window works on a file at a time.

    The lock disappears with the process (also when it is killed), so a crash never leaves a stale lock.
    """

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        self.lock_path = self.db_path.with_name(self.db_path.name + ".lock")
        self._handle = None

    def acquire(self) -> None:
        handle = open(self.lock_path, "a+b")  # noqa: SIM115 - held for the program's lifetime
        try:
            if os.name == "nt":  # pragma: no cover - exercised on Windows
                import msvcrt

                handle.seek(0)
                msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.close()
            raise AlreadyRunning(
                f"本程序已经在另一个窗口中打开了这个台账（{self.db_path}）。请切换到那个窗口；"
                "同一个数据库同时只能由一个窗口编辑，以免数据冲突。"
            ) from exc
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()
