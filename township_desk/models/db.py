"""Opening the ledger database: pragmas, numbered migrations (PRAGMA user_version), one-copy lock.

Every write goes through ``db.atomic()`` (sqlite-utils 4: BEGIN/COMMIT, nested blocks use savepoints).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sqlite3
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path, PurePath

import sqlite_utils

from township_desk.models import cipher, files, paths
from township_desk.models.errors import AlreadyRunning, DatabaseUnavailable
from township_desk.models.files import hide_temporary, reveal
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
# How long a writer waits for another one to finish before the clerk is told the file is busy.
BUSY_TIMEOUT_MS = 5000


def latest_version() -> int:
    return len(STEPS)


def _friendly(exc: sqlite3.Error, path: Path | None) -> DatabaseUnavailable:
    text = str(exc).lower()
    where = f"（{path}）" if path is not None else ""
    if "locked" in text or "busy" in text:
        return DatabaseUnavailable(f"数据库文件正被其他程序占用{where}，请关闭其他程序后重试。没有任何数据丢失。")
    if "readonly" in text or "read-only" in text:
        return DatabaseUnavailable(f"数据库文件是只读的，无法保存{where}。请检查文件属性或存放位置的写入权限。")
    if "not a database" in text or "malformed" in text or "file is encrypted" in text:
        return DatabaseUnavailable(f"该文件不是本程序的数据库或已损坏{where}。请从“设置 → 备份与恢复”恢复最近的备份。")
    if "unable to open" in text:
        return DatabaseUnavailable(f"无法打开数据库文件{where}：文件夹不存在或没有权限。")
    if "disk" in text and ("full" in text or "i/o" in text):
        return DatabaseUnavailable(f"磁盘已满或无法写入{where}，请腾出空间后重试。已保存的数据不受影响。")
    if "no such table" in text or "no such column" in text:
        missing = str(exc).split(":", 1)[-1].strip()
        return DatabaseUnavailable(f"数据库缺少本程序的数据表或字段（{missing}），文件可能被其他程序改动过{where}。"
                                   "请从“设置 → 备份与恢复”恢复最近的备份。")
    return DatabaseUnavailable(f"数据库出错{where}：{exc}")


def is_locked_error(exc: BaseException) -> bool:
    """True for SQLite's "database is locked" / "busy": another connection is writing the file."""
    if not isinstance(exc, sqlite3.OperationalError):
        return False
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def busy_message(path: Path | str | None) -> str:
    """What the clerk is told when a write waited for another program and did not get its turn."""
    where = f"（{path}）" if path else ""
    return (f"数据库正被另一个程序（例如命令行的导入或另一个窗口）占用写入{where}，等候 {BUSY_TIMEOUT_MS // 1000} 秒仍未轮到，这次没有保存。"
            "请稍后再试一次；已保存的数据不受影响。")


class LedgerDatabase(sqlite_utils.Database):
    """sqlite-utils' ``Database`` whose outermost ``atomic()`` block starts with ``BEGIN IMMEDIATE`` and whose
    "database is locked" becomes a Chinese ``DatabaseUnavailable``.

    With a plain (deferred) ``BEGIN`` a block that reads before it writes gets "database is locked" at once when
    another program is writing (in WAL mode SQLite cannot wait to upgrade a read to a write); taking the write
    lock first makes it wait up to ``BUSY_TIMEOUT_MS`` for the other writer instead. Nested blocks are savepoints.
    Every change goes through ``atomic()``, so this one place covers every save of the window and the command
    line: a second writer still busy after the wait becomes a message, never a traceback, and the transaction is
    rolled back first, so nothing of the refused save is kept.
    """

    path: Path | None = None

    @contextlib.contextmanager
    def atomic(self) -> Iterator[LedgerDatabase]:
        try:
            with self._atomic():
                yield self
        except sqlite3.OperationalError as exc:
            if not is_locked_error(exc):
                raise
            raise DatabaseUnavailable(busy_message(self.path)) from exc

    @contextlib.contextmanager
    def _atomic(self) -> Iterator[LedgerDatabase]:
        if self.conn.in_transaction:
            with super().atomic():
                yield self
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            self.rollback()
            raise
        else:
            try:
                self.conn.execute("COMMIT")
            except BaseException:
                self.rollback()
                raise


def explain(exc: sqlite3.Error, path: str | Path | None = None) -> DatabaseUnavailable:
    """A Chinese ``DatabaseUnavailable`` for a SQLite error (locked, read-only, full, damaged, a missing table)."""
    return _friendly(exc, Path(path) if path is not None else None)


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


def sqlite_uri(path: str | PurePath, **query: str) -> str:
    """A ``file:`` URI SQLite accepts for ``path``, query parameters appended (``mode="ro"``).

    Not ``Path.as_uri()`` nor ``pathname2url``: for a Windows network share they give ``file://server/share/…``,
    whose host part SQLite rejects. A UNC path becomes ``file:////server/share/…`` (empty host, the path keeping
    its two leading slashes), a drive path ``file:///C:/…``; ``?``, ``#``, ``%``, spaces and Chinese are
    percent-encoded. A concrete relative path is made absolute first.
    """
    from urllib.parse import quote

    pure = path if isinstance(path, PurePath) else Path(path)
    if isinstance(pure, Path):
        pure = pure.absolute()
    text = pure.as_posix()
    if not text.startswith("/"):  # C:/…
        text = "/" + text
    uri = "file://" + quote(text, safe="/:")
    if query:
        uri += "?" + "&".join(f"{key}={quote(str(value), safe='')}" for key, value in query.items())
    return uri


def _read_only_uri(path: Path, *, immutable: bool) -> str:
    """A URI that opens ``path`` for reading only; ``immutable`` also keeps SQLite from making a -shm file."""
    return sqlite_uri(path.resolve(), mode="ro", **({"immutable": "1"} if immutable else {}))


def _inspect(path: Path) -> tuple[int, int, bool, bool]:
    """(application_id, user_version, has the ledger's own tables, has no tables) of a SQLite file, read only.

    When a -wal file lies beside it (a ledger whose last writer was killed before a checkpoint), the header in
    the main file may be stale, so the figures are read through SQLite with the WAL applied.
    """
    wal = path.with_name(path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    try:
        conn = open_file(_read_only_uri(path, immutable=not has_wal), path, uri=True)
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
        if not cipher.is_encrypted(path):
            raise DatabaseUnavailable(f"该文件不是本程序的数据库或已损坏（{path}），未作任何改动。")
        if cipher.remembered(path) is None:  # only its key tells an encrypted ledger from random bytes
            if cipher.key_path(path).exists():
                raise cipher.PasswordRequired(f"台账已设置密码（已加密），请先输入密码（{path}）。")
            raise DatabaseUnavailable(f"该文件不是本程序的数据库或已损坏（{path}），未作任何改动。"
                                      "如果它是加密的台账而密钥文件已丢失，请用恢复单上的恢复密钥打开。")
    app_id, version, ours, empty = _inspect(path)
    mine = app_id == APPLICATION_ID or (app_id == 0 and (ours or empty))
    if mine and version > latest_version():
        raise DatabaseUnavailable(
            f"该数据库由更新版本的本程序写入（数据格式第 {version} 版，本程序只认识到第 {latest_version()} 版），"
            "为避免损坏数据，已拒绝打开。请安装最新版本后再打开。"
        )
    if not mine or (app_id == 0 and empty and version != 0):
        raise DatabaseUnavailable(f"该文件是其他程序的数据库，不是留守老人台账（{path}），未作任何改动。")


# ---------------------------------------------------------------------------------------------- one library per file
#
# The standard library's sqlite3 and SQLCipher's sqlcipher3 are two copies of SQLite. On POSIX, locks on a file are
# the process's (fcntl): when one copy closes its handle on a file, the locks the other copy holds on it are gone
# too, and SQLite can only work around that among its own connections. So while a plain ledger is converted by
# SQLCipher (setting a password), no standard-library connection to that file may be open in this process:
# ``converting`` waits for those open to close and holds every new one back (``open_file`` waits) until it ends.

_files = threading.Condition()
_plain_open: dict[str, weakref.WeakSet] = {}  # file → this process's open standard-library connections to it
_converting: dict[str, int] = {}  # file → the thread converting it
# How long setting a password waits for this process's other readers of the file (the 首页's figures) to finish.
CONVERSION_WAIT_S = 30.0


class _TrackedConnection(sqlite3.Connection):
    """A standard-library connection that leaves the count of open connections to its file when closed (or
    collected)."""

    def close(self) -> None:
        super().close()
        with _files:
            for live in _plain_open.values():
                live.discard(self)
            _files.notify_all()


def _file_key(path: str | Path) -> str:
    return cipher._id(path)


def plain_connections(path: str | Path) -> int:
    """How many standard-library connections this process has open to the file at ``path``."""
    with _files:
        return len(_plain_open.get(_file_key(path), ()))


def _wait_for_conversion(key: str) -> None:
    with _files:
        while key in _converting:
            if _converting[key] == threading.get_ident():
                raise RuntimeError("a conversion opened the file it converts through the standard library")
            _files.wait(0.5)


def _open_plain(database: str, path: str | Path, **kwargs) -> sqlite3.Connection:
    """``sqlite3.connect(database)`` for the file ``path``, counted (``plain_connections``)."""
    key = _file_key(path)
    conn = sqlite3.connect(database, factory=_TrackedConnection, **kwargs)
    with _files:
        _plain_open.setdefault(key, weakref.WeakSet()).add(conn)
    return conn


@contextlib.contextmanager
def converting(path: str | Path, what: str) -> Iterator[None]:
    """While the block runs, this process opens the file at ``path`` through SQLCipher only: it starts once every
    standard-library connection to it has closed (waiting up to ``CONVERSION_WAIT_S``; then a Chinese
    ``UserError`` naming ``what``, the file untouched) and ``open_file`` holds new ones back until it ends."""
    from township_desk.models.errors import UserError

    key = _file_key(path)
    if plain_connections(path):
        import gc

        gc.collect()  # a connection dropped without close() but caught in a reference cycle: closed now
    with _files:
        if key in _converting:
            raise UserError(f"台账正在进行另一项加密转换，{what}未开始。请等它完成后再试。")
        _converting[key] = threading.get_ident()
        deadline = time.monotonic() + CONVERSION_WAIT_S
        while _plain_open.get(key):
            left = deadline - time.monotonic()
            if left <= 0:
                count = len(_plain_open[key])
                del _converting[key]
                _files.notify_all()
                raise UserError(f"台账仍在被本程序的其他部分读取（{count} 处，例如首页的统计或正在进行的导出），"
                                f"{what}未开始，台账未改动。请等它们完成后再试。")
            _files.wait(min(left, 0.5))
    try:
        yield
    finally:
        with _files:
            del _converting[key]
            _files.notify_all()


def settle(path: Path, connect, *, busy: str, damaged_raises: bool) -> None:
    """Fold the write-ahead log of the database at ``path`` into the file and leave no -wal, -shm or -journal
    beside it (SQLite would replay an old log onto a file put in its place). ``connect()`` opens it (the library
    and key are the caller's). Another connection still using the file, after ``BUSY_TIMEOUT_MS``, raises a
    ``UserError`` with the message ``busy``. A file SQLite cannot read (damaged) re-raises its error when
    ``damaged_raises``; otherwise the caller has kept its raw bytes and its leftovers are removed all the same."""
    from township_desk.models.errors import UserError

    try:
        conn = connect()
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS):d}")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode = DELETE")
        finally:
            conn.close()
    except sqlite3.Error as exc:
        if is_locked_error(exc):
            raise UserError(busy) from exc
        if damaged_raises:
            raise
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


def open_file(database: str, path: str | Path, **kwargs):
    """A connection to ``database`` (the file ``path``, or a URI naming it): a ``sqlite3`` one for a plain file,
    a SQLCipher one keyed for an encrypted ledger unlocked in this process (``cipher.PasswordRequired`` when it
    has not been). While the file is being converted (``converting``) it waits for the conversion to end."""
    _wait_for_conversion(_file_key(path))
    root = cipher.require_unlocked(path)
    if root is None:
        return _open_plain(database, path, **kwargs)
    return cipher.open_encrypted(database, root, cipher.file_salt(path), **kwargs)


def database_uuid(db: sqlite_utils.Database) -> str:
    """The UUID this database was given when it was made (migration 5): its identity for backups and locks."""
    return db.execute("SELECT uuid FROM ledger_identity LIMIT 1").fetchone()[0]


def connect(path: str | Path | None = None, *, migrate: bool = True, create: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the ledger database at ``path`` (default: the per-user data folder).

    Sets WAL (rollback journal on a network share), foreign keys and a busy timeout, then applies pending
    migrations. Raises ``DatabaseUnavailable`` with a Chinese message for a file that is locked, read-only,
    damaged, written by a newer version of the program, missing one of its tables, or not a Township Desk
    database. With ``create=False`` a missing file is refused instead of made.
    """
    db_path = Path(path) if path is not None else paths.default_db_path()
    if not create and not db_path.exists():
        raise DatabaseUnavailable(f"数据库文件不存在：{db_path}")
    if db_path.exists() and db_path.is_dir():
        raise DatabaseUnavailable(f"“{db_path}”是文件夹，不是数据库文件。")
    if not db_path.parent.exists():
        raise DatabaseUnavailable(f"数据库所在的文件夹不存在：{db_path.parent}")
    recognise(db_path)
    try:
        conn = open_file(str(db_path), db_path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                         check_same_thread=True)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS):d}")
        mode = "DELETE" if is_network_path(db_path) else "WAL"
        current = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if current.upper() != mode:
            conn.execute(f"PRAGMA journal_mode = {mode}")
        conn.execute("PRAGMA synchronous = FULL")
    except sqlite3.Error as exc:
        raise _friendly(exc, db_path) from exc
    db = LedgerDatabase(conn)
    db.path = db_path
    if migrate:
        _migrate_and_check(db, db_path)
    return db


def _migrate_and_check(db: sqlite_utils.Database, db_path: Path, *, in_memory: bool = False) -> None:
    """Migrate ``db`` (the file at ``db_path``, or ``in_memory`` a copy of it, when no copy is kept beside the
    file) and make sure it has every table and column of this version; on failure it is closed and a Chinese
    ``DatabaseUnavailable`` raised naming ``db_path``."""
    try:
        migrate_database(db, None if in_memory else db_path)
        missing = missing_schema(db.conn, schema_version(db))
    except sqlite3.Error as exc:
        db.close()
        raise _friendly(exc, db_path) from exc
    if missing:
        db.close()
        raise DatabaseUnavailable(
            f"数据库缺少本程序的数据表或字段（{'、'.join(missing[:5])}），文件可能被其他程序改动过（{db_path}）。"
            "请从“设置 → 备份与恢复”恢复最近的备份。")


@functools.cache
def _fresh_catalogue(version: int) -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """(tables with their columns, indexes by name with their CREATE statement) of a ledger at schema ``version``:
    the numbered migrations run in memory once."""
    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        scratch = sqlite_utils.Database(conn)
        for number in range(1, min(version, latest_version()) + 1):
            with scratch.atomic():
                load_step(number).apply(scratch)
        indexes = dict(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"))
        return _schema_of(conn), indexes
    finally:
        conn.close()


def expected_schema(version: int) -> dict[str, frozenset[str]]:
    """The tables and columns a ledger at schema ``version`` has."""
    return _fresh_catalogue(version)[0]


def expected_indexes(version: int) -> dict[str, str]:
    """The indexes (name → CREATE statement) a ledger at schema ``version`` has."""
    return _fresh_catalogue(version)[1]


def _schema_of(conn: sqlite3.Connection) -> dict[str, frozenset[str]]:
    tables = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    return {t: frozenset(r[1] for r in conn.execute(f"PRAGMA table_info([{t}])")) for t in tables}


def missing_schema(conn: sqlite3.Connection, version: int) -> list[str]:
    """What a database at ``version`` lacks of the ledger's tables and columns ("visits", "elders.phone"), sorted;
    empty when nothing is missing. Extra tables are allowed."""
    have = _schema_of(conn)
    missing = []
    for table, columns in sorted(expected_schema(version).items()):
        if table not in have:
            missing.append(table)
        else:
            missing += [f"{table}.{c}" for c in sorted(columns - have[table])]
    return missing


def open_scratch_copy(path: str | Path) -> sqlite_utils.Database:
    """An in-memory copy of the ledger at ``path``, brought up to this version's schema in memory: for dry runs.

    The file is only read (a missing one gives an empty ledger); nothing is created, migrated or written beside
    it. Refuses, like ``connect``, a folder, another program's file and a newer version's.
    """
    db_path = Path(path) if path is not None else paths.default_db_path()
    if db_path.exists() and db_path.is_dir():
        raise DatabaseUnavailable(f"“{db_path}”是文件夹，不是数据库文件。")
    recognise(db_path)
    _wait_for_conversion(_file_key(db_path))
    root = cipher.require_unlocked(db_path) if db_path.exists() else None
    if root is not None:  # decrypted into memory only, never into a file
        return _scratch_of_encrypted(db_path, root)
    memory = sqlite3.connect(":memory:", isolation_level=None)
    try:
        if db_path.exists() and db_path.stat().st_size > 0:
            wal = db_path.with_name(db_path.name + "-wal")
            has_wal = wal.exists() and wal.stat().st_size > 0
            source = _open_plain(_read_only_uri(db_path, immutable=not has_wal), db_path, uri=True,
                                 timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                source.backup(memory)
            finally:
                source.close()
        memory.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        memory.close()
        raise _friendly(exc, db_path) from exc
    db = LedgerDatabase(memory)
    _migrate_and_check(db, db_path, in_memory=True)  # nothing is written to the file or beside it
    return db


def _scratch_of_encrypted(db_path: Path, root: bytes) -> LedgerDatabase:
    import sqlcipher3

    wal = db_path.with_name(db_path.name + "-wal")
    has_wal = wal.exists() and wal.stat().st_size > 0
    raw = sqlcipher3.connect("file::memory:", uri=True, isolation_level=None)  # URIs in ATTACH too
    memory = cipher.CipherConnection(raw, root, cipher.file_salt(db_path))
    key = cipher.data_key(root, cipher.file_salt(db_path))
    try:
        source = _read_only_uri(db_path, immutable=not has_wal)
        memory.execute(f"ATTACH DATABASE ? AS source KEY \"x'{key.hex()}'\"", [source])
        memory.execute("SELECT sqlcipher_export('main', 'source')")
        version = memory.execute("PRAGMA source.user_version").fetchone()[0]
        app_id = memory.execute("PRAGMA source.application_id").fetchone()[0]
        memory.execute("DETACH DATABASE source")
        memory.execute(f"PRAGMA user_version = {int(version):d}")
        memory.execute(f"PRAGMA application_id = {int(app_id):d}")
        memory.execute("PRAGMA foreign_keys = ON")
    except sqlite3.Error as exc:
        memory.close()
        raise _friendly(exc, db_path) from exc
    db = LedgerDatabase(memory)
    _migrate_and_check(db, db_path, in_memory=True)
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
    dest = cipher.connect_like(db.conn, tmp)  # an encrypted ledger's copy is encrypted the same way
    hide_temporary(tmp)
    try:
        db.conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
        dest.commit()
    finally:
        dest.close()
    reveal(tmp)  # the hidden attribute would move with the file onto the backup
    files.replace_file(tmp, target)  # retried while an antivirus holds the new copy
    if isinstance(db.conn, cipher.CipherConnection):
        cipher.copy_key_file(db, target)  # the password opens the copy too
        cipher.remember(target, db.conn.root)  # same key: this process may read what it just wrote
    return target


class InstanceLock:
    """OS file locks so that only one window (or restore) works on a database file at a time.

    The lock goes by the file's identity, not the name typed: one lock file beside the database's real path
    (symlinks resolved, so a symlink meets the same lock), and one named after the file's device and inode
    (``os.stat``: on Windows the volume serial number and file ID) in the data folder's ``locks/``, so a hard
    link — a second name for the same file — meets it too. A database that does not exist yet gets the second
    lock from ``lock_identity()`` once it has been made. The locks disappear with the process (also when it is
    killed), so a crash never leaves a stale lock.
    """

    def __init__(self, db_path: str | Path):
        self.db_path = Path(db_path)
        real = _real_path(self.db_path)
        self.lock_path = real.with_name(real.name + ".lock")
        self._handles: list = []
        self._identity: tuple[int, int] | None = None

    def acquire(self) -> None:
        self._handles.append(self._lock(self.lock_path))
        try:
            self.lock_identity()
        except BaseException:
            self.release()
            raise

    def lock_identity(self) -> None:
        """Take the lock named after the database file's identity; nothing to do while the file does not exist."""
        identity = file_identity(self.db_path)
        if identity is None or identity == self._identity:
            return
        folder = paths.data_dir() / "locks"
        folder.mkdir(parents=True, exist_ok=True)
        self._handles.append(self._lock(folder / f"{identity[0]:x}-{identity[1]:x}.lock"))
        self._identity = identity

    def _lock(self, lock_path: Path):
        handle = open(lock_path, "a+b")  # noqa: SIM115 - held for the program's lifetime
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
        return handle

    def release(self) -> None:
        for handle in reversed(self._handles):
            handle.close()
        self._handles = []
        self._identity = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _real_path(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the name as typed
        return path.absolute()


def file_identity(path: str | Path) -> tuple[int, int] | None:
    """(device, inode) of the file at ``path`` after following symlinks — on Windows Python's ``os.stat`` fills
    these from the volume serial number and the file ID — or None when there is no such file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if not st.st_ino:  # a file system without file IDs: the resolved path is all there is to go by
        return None
    return st.st_dev, st.st_ino
