"""Backups of the ledger database: automatic (once a day, on closing), by hand, and putting one back.

Every copy is made with SQLite's online backup API, so it is consistent even while the window is writing, and
is written under a temporary name and renamed, so a crash never leaves half a backup.

Automatic backups are kept per ledger, by the database's own identity (``db.database_uuid``, not its file
name): ``paths.backups_dir()/<uuid>/<数据库名>_<YYYYMMDD-HHMMSS>_<kind>.zip`` (kind ``daily`` or ``close``).
A ``.zip`` holds the database compressed, without its indexes (half the size; a restore builds them again), and
``township-desk-backup.json`` (what it holds, so the list is read without unpacking). They are kept by
calendar within a size budget (``backups_to_keep``, ``within_budget``), and each is also copied to the second
backup place chosen in 设置 (``paths.second_backup_dir()``) when there is one. Copies kept before a restore
(``before-restore_…``) and backups the clerk made elsewhere are never deleted. Automatic backups written before
this layout (``backups/<数据库名>_…_daily.db``) count as the ledger's when their name matches and they hold no
other ledger's identity.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import tempfile
import threading
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from township_desk.models import audit, cipher, files, packed_backup, paths
from township_desk.models import db as dbm
from township_desk.models.errors import UserError

_STAMP = "%Y%m%d-%H%M%S"
_AUTO = re.compile(r"^(?P<db>.+)_(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?_(?P<kind>daily|close)\.(?P<ext>zip|db)$")
_BEFORE = re.compile(r"^before-restore_(?P<db>.+)_(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?\.(?P<ext>zip|db)$")
KIND_LABELS = {"daily": "每日自动", "close": "关闭时自动", "before-restore": "恢复前保留", "manual": "手动"}
_SQLITE_HEADER = b"SQLite format 3\x00"
_ZIP_HEADER = b"PK\x03\x04"
INFO_ENTRY = "township-desk-backup.json"
# In the backup of an encrypted ledger: its key file (the recovery key wrapped with the password of the day).
KEY_ENTRY = "township-desk-key.json"
# How long each kind of backup is kept (``backups_to_keep``); 设置 quotes these.
KEEP_ALL_DAYS, KEEP_DAILY_DAYS, KEEP_WEEKLY_WEEKS, KEEP_MONTHLY_MONTHS = 2, 14, 8, 12
# The automatic backups of one ledger take at most this many times the database's own size, or
# ``BUDGET_FLOOR_BYTES`` when that is more (``within_budget``): a large township's backup folder stays under 3×
# its database even with a copy kept before a restore, while a small one (a backup is about a sixth of the
# database, so 2.5× would hold only 15) keeps the whole calendar.
BUDGET_TIMES_DATABASE = 2.5
BUDGET_FLOOR_BYTES = 1024 ** 3
KEEP_RULE = (f"最近 {KEEP_ALL_DAYS} 天的全部保留，{KEEP_DAILY_DAYS} 天内每天保留一份，{KEEP_WEEKLY_WEEKS} 周内每周一份，"
             f"{KEEP_MONTHLY_MONTHS} 个月内每月一份；合计超过 {BUDGET_FLOOR_BYTES // 1024 ** 3} GB 且超过数据库大小的 "
             f"{BUDGET_TIMES_DATABASE:g} 倍时，先删最早的")
# Held while an automatic backup or a restore runs: the daily backup runs in a background thread, and a restore
# or the backup on closing waits for it rather than racing it.
_busy = threading.Lock()


@dataclass(frozen=True)
class BackupInfo:
    """What a backup file holds, read without changing it."""

    path: Path
    taken_at: dt.datetime          # from an automatic backup's name, otherwise when it was written
    kind: str                      # daily / close / before-restore / manual (see KIND_LABELS)
    schema_version: int
    elders: int
    visits: int
    agreements: int
    township_name: str
    last_change_at: str | None     # the newest audit-log entry: how current the ledger in it is
    size_bytes: int
    ledger_uuid: str | None = None   # the identity of the ledger it is a copy of (None: written before there was one)
    database_bytes: int | None = None  # the database's own size (a compressed backup is smaller)
    encrypted: bool = False          # taken of a ledger with a password: restoring it asks for that password

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def summary(self) -> str:
        """One Chinese line for the clerk: when, whose, and how much it holds."""
        township = f"{self.township_name}，" if self.township_name else ""
        return (f"{township}备份时间 {self.taken_at:%Y-%m-%d %H:%M:%S}；老人 {self.elders} 人，"
                f"巡访记录 {self.visits} 条，互助协议 {self.agreements} 份")


@dataclass(frozen=True)
class AutomaticBackup:
    """An automatic backup just made, and how its copy to the second backup place went."""

    path: Path
    second_copy: Path | None = None     # the copy in the second place, when one is chosen and it worked
    second_problem: str | None = None   # Chinese: why there is no such copy although a second place is chosen


# ---------------------------------------------------------------------------------------------- keeping

def backups_to_keep(taken: Iterable[dt.datetime], now: dt.datetime) -> set[dt.datetime]:
    """Which automatic backups (by the time each was taken) to keep at ``now``; the rest may be deleted.

    Every backup of the last ``KEEP_ALL_DAYS`` days (and any dated after ``now``: a clock that was wrong);
    the newest of each calendar day for ``KEEP_DAILY_DAYS`` days; the newest of each ISO week for
    ``KEEP_WEEKLY_WEEKS`` weeks; the newest of each calendar month for ``KEEP_MONTHLY_MONTHS`` months; and
    always the newest of all. Keeping the newest of each period at every step means a backup kept for a longer
    period is never one deleted earlier.
    """
    ordered = sorted(set(taken), reverse=True)
    keep: set[dt.datetime] = set(ordered[:1])
    days: set[dt.date] = set()
    weeks: set[tuple[int, int]] = set()
    months: set[tuple[int, int]] = set()
    this_month = now.year * 12 + now.month
    for t in ordered:
        day, week, month = t.date(), tuple(t.isocalendar()[:2]), (t.year, t.month)
        if now - t < dt.timedelta(days=KEEP_ALL_DAYS):
            keep.add(t)
        if (now.date() - day).days < KEEP_DAILY_DAYS and day not in days:
            keep.add(t)
        if now - t < dt.timedelta(weeks=KEEP_WEEKLY_WEEKS) and week not in weeks:
            keep.add(t)
        if this_month - (t.year * 12 + t.month) < KEEP_MONTHLY_MONTHS and month not in months:
            keep.add(t)
        days.add(day)
        weeks.add(week)
        months.add(month)
    return keep


def within_budget(kept: dict[dt.datetime, int], now: dt.datetime, budget: int) -> set[dt.datetime]:
    """Of the backups ``kept`` (time taken → size in bytes), those to keep so together they take at most
    ``budget`` bytes: the oldest go first, but never one of the last ``KEEP_ALL_DAYS`` days nor the newest.

    A large township's backups (30,000 elders: about 100 MB each, compressed) would otherwise fill the disk
    with a year of monthly copies; a small one keeps the whole calendar.
    """
    newest = max(kept, default=None)
    keep = set(kept)
    total = sum(kept.values())
    for t in sorted(kept):
        if total <= budget:
            break
        if t == newest or now - t < dt.timedelta(days=KEEP_ALL_DAYS):
            continue
        keep.discard(t)
        total -= kept[t]
    return keep


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


def ledger_folder(ledger_uuid: str, root: Path | None = None) -> Path:
    """The folder of one ledger's automatic backups (created if missing) under ``root`` (the backups folder)."""
    folder = (root if root is not None else paths.backups_dir()) / ledger_uuid
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _ledger_uuid(db) -> str:
    return dbm.database_uuid(db)


def _stamp_of(path: Path) -> tuple[str, int]:
    m = _AUTO.match(path.name) or _BEFORE.match(path.name)
    return m.group("stamp"), int(m.group("n") or 1)


def taken_at(path: Path) -> dt.datetime:
    """When an automatic backup or a before-restore copy was taken, from its name."""
    return dt.datetime.strptime(_stamp_of(path)[0], _STAMP)


def _uuid_in_file(path: Path) -> str | None:
    """The ledger identity inside an uncompressed backup, or None (none recorded, or unreadable)."""
    try:
        conn = sqlite3.connect(dbm.sqlite_uri(path.resolve(), mode="ro"), uri=True)
    except sqlite3.Error:
        return None
    try:
        row = conn.execute("SELECT uuid FROM ledger_identity LIMIT 1").fetchone()
        return row[0] if row else None
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _legacy_automatic(stem: str, ledger_uuid: str) -> list[Path]:
    """Automatic backups written before backups were kept per ledger: in the backups folder itself, named after
    the database file; those holding another ledger's identity are not this one's."""
    found = []
    for entry in paths.backups_dir().iterdir():
        m = _AUTO.match(entry.name)
        if m and m.group("db") == stem and entry.is_file() and _uuid_in_file(entry) in (None, ledger_uuid):
            found.append(entry)
    return found


def _newest_first(files: Iterable[Path]) -> list[Path]:
    return sorted(files, key=_stamp_of, reverse=True)


def _automatic_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [e for e in folder.iterdir() if _AUTO.match(e.name) and e.is_file()]


def automatic_backups(db, db_path: str | Path | None = None) -> list[Path]:
    """This ledger's automatic backups (``db``: its open database), newest first; with ``db_path``, also those
    written before backups were kept per ledger."""
    ledger_uuid = _ledger_uuid(db)
    found = _automatic_in(ledger_folder(ledger_uuid))
    if db_path is not None:
        found += _legacy_automatic(Path(db_path).stem, ledger_uuid)
    return _newest_first(found)


def last_automatic_backup(db, db_path: str | Path | None = None) -> dt.datetime | None:
    """When the newest automatic backup of this ledger (by its identity) was taken, or None."""
    found = automatic_backups(db, db_path)
    return taken_at(found[0]) if found else None


def ledger_backups(db, db_path: str | Path | None = None) -> list[Path]:
    """Every backup of this ledger in the backups folder (automatic and before-restore copies), newest first."""
    ledger_uuid = _ledger_uuid(db)
    folder = ledger_folder(ledger_uuid)
    found = [e for e in folder.iterdir() if (_AUTO.match(e.name) or _BEFORE.match(e.name)) and e.is_file()]
    if db_path is not None:
        found += _legacy_automatic(Path(db_path).stem, ledger_uuid)
    return _newest_first(found)


def budget(database_bytes: int) -> int:
    """How many bytes one ledger's automatic backups may take: ``BUDGET_TIMES_DATABASE`` × the database, or
    ``BUDGET_FLOOR_BYTES`` when that is more."""
    return max(int(BUDGET_TIMES_DATABASE * database_bytes), BUDGET_FLOOR_BYTES)


def _prune(files: list[Path], keep_path: Path, now: dt.datetime, database_bytes: int | None) -> list[Path]:
    """Delete the automatic backups among ``files`` that ``backups_to_keep`` and ``within_budget`` (``budget``)
    let go; never ``keep_path``."""
    times = {p: taken_at(p) for p in files}
    keep = backups_to_keep(times.values(), now)
    if database_bytes:
        sizes: dict[dt.datetime, int] = {}
        for p, t in times.items():
            if t in keep:
                with contextlib.suppress(OSError):
                    sizes[t] = sizes.get(t, 0) + p.stat().st_size
        keep = within_budget(sizes, now, budget(database_bytes))
    removed = []
    for old, t in times.items():
        if old != keep_path and t not in keep:
            with contextlib.suppress(OSError):  # a copy open elsewhere is left for next time
                old.unlink()
                removed.append(old)
    return removed


# ---------------------------------------------------------------------------------------------- taking

def _facts(conn: sqlite3.Connection) -> dict:
    """What a database holds, for a backup's description: counts, township, version, identity."""
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    township = ""
    if "settings" in tables:
        row = conn.execute("SELECT value FROM settings WHERE key = 'township_name'").fetchone()
        if row:
            with contextlib.suppress(ValueError, TypeError):
                township = str(json.loads(row[0]) or "")
    uuid = None
    if "ledger_identity" in tables:
        row = conn.execute("SELECT uuid FROM ledger_identity LIMIT 1").fetchone()
        uuid = row[0] if row else None
    return {"schema_version": conn.execute("PRAGMA user_version").fetchone()[0],
            "elders": _count(conn, tables, "elders"), "visits": _count(conn, tables, "visits"),
            "agreements": _count(conn, tables, "agreements"), "township_name": township,
            "last_change_at": (conn.execute("SELECT max(at) FROM audit_log").fetchone()[0]
                               if "audit_log" in tables else None),
            "ledger_uuid": uuid}


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _copy_database(conn: sqlite3.Connection, target: Path) -> None:
    """SQLite's online backup of ``conn`` into a new file ``target`` (rollback journal, flushed to disk)."""
    dest = cipher.connect_like(conn, target)  # an encrypted ledger's copy is encrypted with the same key
    try:
        conn.backup(dest)
        dest.execute("PRAGMA journal_mode = DELETE")
        dest.commit()
    finally:
        dest.close()


def _zip_database(db_file: Path, target: Path, entry: str, facts: dict, envelopes: list[dict] | None = None) -> None:
    """Write ``target`` (.zip): the database compressed as ``entry``, streamed (never read whole into memory),
    and its facts; with ``envelopes`` (an encrypted ledger) its key file too, and the database stored as it is
    (encrypted pages do not compress)."""
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(INFO_ENTRY, json.dumps(facts, ensure_ascii=False, indent=1))
        if envelopes:
            zf.writestr(KEY_ENTRY, cipher.key_file_text(envelopes))
        info = zipfile.ZipInfo(entry, date_time=dt.datetime.now().timetuple()[:6])
        info.compress_type = zipfile.ZIP_STORED if envelopes else zipfile.ZIP_DEFLATED
        with open(db_file, "rb") as src, zf.open(info, "w", force_zip64=True) as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)


def _drop_indexes(conn: sqlite3.Connection) -> list[str]:
    """Drop the indexes of a backup copy (and compact it); returns their ``CREATE INDEX`` statements.

    Indexes are a third of a large ledger and compress badly: without them a 30,000-elder backup is half the
    size and written in half the time. ``_prepare`` builds them again from the statements before a restore.
    """
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").fetchall()
    for name, _sql in rows:
        conn.execute(f'DROP INDEX "{name.replace(chr(34), chr(34) * 2)}"')
    conn.commit()
    conn.execute("VACUUM")
    return [sql for _name, sql in rows]


_CREATE_INDEX = re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+)?INDEX\s", re.IGNORECASE)


def _rebuild_indexes(path: Path, dest: Path) -> None:
    """Create again the indexes a compressed backup was written without (``_drop_indexes``). Only ``CREATE
    INDEX`` statements are run, one at a time: the list comes from the file being restored."""
    with open(path, "rb") as fh:
        if fh.read(4) != _ZIP_HEADER:
            return
    with zipfile.ZipFile(path) as zf:
        statements = json.loads(zf.read(INFO_ENTRY).decode("utf-8")).get("indexes") or []
    if not isinstance(statements, list) or not all(isinstance(s, str) and _CREATE_INDEX.match(s) for s in statements):
        raise UserError(f"备份文件“{path.name}”的说明部分不正确，不能用来恢复。")
    conn = _open_copy(dest)
    try:
        with conn:
            for sql in statements:
                conn.execute(sql)
    except sqlite3.Error as exc:
        raise UserError(f"备份文件“{path.name}”已损坏（无法重建索引：{exc}），不能用来恢复。") from exc
    finally:
        conn.close()


def write_backup(db, target: str | Path, *, kind: str = "manual", taken_at: dt.datetime | None = None) -> Path:
    """Write a consistent copy of the open database ``db`` to ``target``: compressed when it ends in ``.zip``
    (without its indexes, which a restore builds again), else a plain SQLite file. Written under temporary names
    and renamed; on failure nothing is left."""
    target = Path(target)
    if target.suffix.lower() != ".zip":
        return dbm.backup_to(db, target)
    plain = target.with_name(f".{target.stem}.db.part")
    packed = target.with_name(f".{target.stem}.pack.part")
    part = target.with_name(target.name + ".part")
    encrypted = isinstance(db.conn, cipher.CipherConnection)
    try:
        _copy_database(db.conn, plain)
        database_bytes = plain.stat().st_size
        conn = cipher.open_encrypted(str(plain), db.conn.root, db.conn.salt) if encrypted else sqlite3.connect(str(plain))
        try:
            facts = _facts(conn)
            facts["indexes"] = _drop_indexes(conn)
        finally:
            conn.close()
        facts.update(kind=kind, taken_at=(taken_at or _now()).isoformat(sep=" "), database_bytes=database_bytes,
                     encrypted=encrypted)
        if encrypted:  # encrypted pages do not compress: the rows are compressed, then encrypted
            packed_backup.pack(plain, db.conn.root, packed)
            facts["packed"] = packed_backup.FORMAT
        _zip_database(packed if encrypted else plain, part, f"{target.stem}.db", facts,
                      cipher.envelopes_of(db) if encrypted else None)
        _fsync(part)
        files.replace_file(part, target)
    finally:
        for leftover in (plain, packed, part):
            with contextlib.suppress(OSError):
                leftover.unlink()
    return target


def backup(db, target: str | Path, *, kind: str = "manual", taken_at: dt.datetime | None = None) -> Path:
    """Write a consistent copy of the open database to ``target`` (the clerk's own choice of file); a name ending
    in ``.zip`` is compressed (about a fifth of the size or less), any other a plain database file.

    Refuses the live database itself and a missing folder; a full disk or a read-only place gives a Chinese
    ``UserError`` and leaves no half-written file.
    """
    target = Path(target)
    if not target.parent.exists():
        raise UserError(f"保存备份的文件夹不存在：{target.parent}")
    if target.is_dir():
        raise UserError(f"“{target}”是文件夹，请给出备份文件的名称。")
    if _is_live_file(db, target):
        raise UserError("备份文件不能与正在使用的数据库（或它旁边的 -wal、-shm 文件）是同一个文件，请另选位置。")
    part = target.with_name(target.name + ".part")
    existed = target.exists()
    try:
        return write_backup(db, target, kind=kind, taken_at=taken_at)
    except (sqlite3.Error, OSError) as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        if files.is_sharing_violation(exc):  # still held by another program after the retries
            raise files.rename_error(exc, target, existed=existed) from exc
        raise _write_error(exc, target) from exc


def _write_error(exc: BaseException, target: Path) -> UserError:
    text = str(exc).lower()
    errno = getattr(exc, "errno", None)
    if errno == 28 or "full" in text:
        return UserError(f"磁盘已满，备份“{target.name}”未能完成。原有数据不受影响，请腾出空间或换一个位置。")
    if isinstance(exc, PermissionError) or "readonly" in text or "read-only" in text or "unable to open" in text:
        return UserError(f"没有权限在“{target.parent}”写入备份，请换一个保存位置（例如 U 盘或“文档”文件夹）。")
    return UserError(f"备份“{target.name}”未能完成：{exc}")


def _is_live_file(db, target: Path) -> bool:
    """True when ``target`` is the open database or its -wal/-shm/-journal, by name or by file identity (a hard
    link or symlink to it)."""
    live = _live_path(db)
    if live is None:
        return False
    for companion in (live, *(live.with_name(live.name + s) for s in ("-wal", "-shm", "-journal"))):
        try:
            if target.resolve() == companion.resolve():
                return True
            if target.exists() and companion.exists() and os.path.samefile(target, companion):
                return True
        except OSError:
            continue
    return False


def _live_path(db) -> Path | None:
    row = db.execute("PRAGMA database_list").fetchone()
    return Path(row[2]) if row and row[2] else None


def daily_backup_if_due(db, db_path: str | Path, *, now: dt.datetime | None = None) -> AutomaticBackup | None:
    """Make today's automatic backup unless this ledger (by its identity) already has one dated today.

    Returns what was made, or None. Old automatic backups are then thinned by ``backups_to_keep``.
    """
    db_path = Path(db_path)
    now = now or _now()
    with _busy:
        if any(taken_at(p).date() == now.date() for p in automatic_backups(db, db_path)):
            return None
        return _automatic(db, db_path, "daily", now)


def daily_backup_in_background(db_path: str | Path, *, now: dt.datetime | None = None) -> AutomaticBackup | None:
    """``daily_backup_if_due`` over a connection of its own: for a worker thread while the window starts."""
    db = dbm.connect(db_path, migrate=False)
    try:
        return daily_backup_if_due(db, db_path, now=now)
    finally:
        db.close()


def backup_on_close(db, db_path: str | Path, *, now: dt.datetime | None = None) -> AutomaticBackup | None:
    """Make an automatic backup when the window closes, unless nothing changed since the newest one.

    "Changed" is judged by the database and its write-ahead log being modified after that backup was
    written, so opening the program to look something up makes no new backup. Waits for a daily backup still
    running in the background.
    """
    db_path = Path(db_path)
    with _busy:
        latest = automatic_backups(db, db_path)
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


def _remove_stale_parts(folder: Path, older_than: float = 600.0) -> None:
    """Delete half-written backups (``*.part``: a whole copy of the ledger, ID numbers and all) that a killed
    program left in ``folder``; one younger than ``older_than`` seconds may still be being written."""
    import time

    for part in folder.glob("*.part"):
        with contextlib.suppress(OSError):
            if time.time() - part.stat().st_mtime > older_than:
                part.unlink()


def _automatic(db, db_path: Path, kind: str, now: dt.datetime) -> AutomaticBackup:
    ledger_uuid = _ledger_uuid(db)
    folder = ledger_folder(ledger_uuid)
    _remove_stale_parts(folder)
    stamp = now.strftime(_STAMP)
    target = _unique(folder, lambda n: f"{db_path.stem}_{stamp}{n}_{kind}.zip")
    made = backup(db, target, kind=kind, taken_at=now)
    size = _database_bytes(db)
    _prune(automatic_backups(db, db_path), made, now, size)
    copy, problem = copy_to_second_place(made, ledger_uuid, now, size)
    return AutomaticBackup(made, copy, problem)


# ---------------------------------------------------------------------------------------------- second place

def second_place_problem() -> str | None:
    """Why the second backup place chosen in 设置 cannot be used now (Chinese), or None (usable, or none chosen)."""
    second = paths.second_backup_dir()
    if second is None:
        return None
    try:
        usable = second.is_dir() and os.access(second, os.W_OK)
    except OSError:
        usable = False
    if not usable:
        return f"第二备份位置“{second}”现在无法使用（U 盘未插上、网络盘未连接或无写入权限），自动备份只保存在本机。"
    return None


def _database_bytes(db) -> int:
    """The database's size as SQLite sees it (pages × page size): what a backup budget is measured against."""
    return db.execute("PRAGMA page_count").fetchone()[0] * db.execute("PRAGMA page_size").fetchone()[0]


def copy_to_second_place(made: Path, ledger_uuid: str, now: dt.datetime,
                         database_bytes: int | None = None) -> tuple[Path | None, str | None]:
    """Copy an automatic backup to the second backup place (``<place>/<uuid>/``) and thin the copies there by
    the same calendar. Returns (the copy, None), (None, why not) in Chinese, or (None, None) when no second
    place is chosen. Never raises for a missing or full place: the backup on this PC is already made."""
    second = paths.second_backup_dir()
    if second is None:
        return None, None
    problem = second_place_problem()
    if problem:
        return None, problem
    target = second / ledger_uuid / made.name
    part = target.with_name(target.name + ".part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(made, part)
        _fsync(part)
        files.replace_file(part, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink()
        reason = "磁盘已满" if getattr(exc, "errno", None) == 28 else (exc.strerror or str(exc))
        return None, f"自动备份未能复制到第二备份位置“{second}”（{reason}），只保存在本机。"
    _prune(_automatic_in(target.parent), target, now, database_bytes)
    return target, None


# ---------------------------------------------------------------------------------------------- data folder

LEDGER_FILES = ("photos", "agreements")  # the data folder's own files the ledger names by relative path


def use_data_folder(db, folder: str | Path) -> bool:
    """Make ``folder`` the data folder from the next start (``paths.save_local_config``). A folder that already
    holds a ledger (``township_desk.db``, checked to be one) is used as it is; into any other this ledger is
    copied, with its visit photos and agreement scans. Returns whether it was copied. The current folder is
    left as it was."""
    folder = Path(folder)
    if not folder.is_dir():
        raise UserError(f"文件夹不存在：{folder}")
    target = folder / paths.default_db_path().name
    copied = not target.exists()
    if copied:
        backup(db, target)
        here = paths.data_dir()
        for name in LEDGER_FILES:
            if (here / name).is_dir():
                try:
                    shutil.copytree(here / name, folder / name, dirs_exist_ok=True)
                except (OSError, shutil.Error) as exc:
                    raise _write_error(exc if isinstance(exc, OSError) else OSError(str(exc)), folder / name) from exc
    else:
        inspect_backup(target)  # refuses another program's file or one from a newer version
    paths.save_local_config(data_dir=str(folder))
    return copied


# ---------------------------------------------------------------------------------------------- reading

def _open_read_only(path: Path) -> sqlite3.Connection:
    # sqlite_uri, not Path.as_uri(): a backup on a network share (\\\\server\\share) must open too.
    return dbm.open_file(dbm.sqlite_uri(path.resolve(), mode="ro"), path, uri=True)


def _open_copy(path: Path):
    """A connection to a copy being prepared (encrypted ones were unlocked by ``_unlock_copy``)."""
    return dbm.open_file(str(path), path)


def backup_envelopes(path: str | Path) -> list[dict]:
    """The key file a backup carries: inside a .zip, beside a database file (``<file>.key``)."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            compressed = fh.read(4) == _ZIP_HEADER
        if compressed:
            with zipfile.ZipFile(path) as zf:
                if KEY_ENTRY not in zf.namelist():
                    return []
                data = json.loads(zf.read(KEY_ENTRY).decode("utf-8"))
            return [e for e in data.get("envelopes", []) if isinstance(e, dict)] if isinstance(data, dict) else []
    except (OSError, zipfile.BadZipFile, ValueError, KeyError):
        return []
    return cipher.read_envelopes(cipher.key_path(path))


def unlock_backup(path: str | Path, secret: str) -> None:
    """Unlock an encrypted backup database file (not a .zip: its copy is unlocked when unpacked) with the password
    it was taken under or the recovery key; ``cipher.WrongPassword`` when neither."""
    path = Path(path)
    if cipher.is_encrypted(path) and cipher.remembered(path) is None:
        cipher.unlock(path, secret, envelopes=backup_envelopes(path), note=False)


def needs_password(path: str | Path) -> bool:
    """True when the backup at ``path`` is encrypted and not yet unlocked in this process."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            compressed = fh.read(4) == _ZIP_HEADER
    except OSError:
        return False
    if compressed:
        try:
            with zipfile.ZipFile(path) as zf:
                facts = json.loads(zf.read(INFO_ENTRY).decode("utf-8"))
            return bool(isinstance(facts, dict) and facts.get("encrypted"))
        except (zipfile.BadZipFile, ValueError, KeyError, OSError):
            return False
    return cipher.is_encrypted(path) and cipher.key_path(path).exists() and cipher.remembered(path) is None


def _unlock_copy(backup_path: Path, dest: Path, secret: str | None) -> bytes | None:
    """Unlock the unpacked copy ``dest`` of an encrypted backup (R) with ``secret``; None for a plain one."""
    if not cipher.is_encrypted(dest):
        return None
    known = cipher.remembered(backup_path)
    if known is not None and cipher._proves(dest, known):
        cipher.remember(dest, known)
        return known
    if not secret:
        raise cipher.PasswordRequired(f"备份“{backup_path.name}”是加密的，请输入做这份备份时台账的密码，或恢复单上的恢复密钥。")
    try:
        return cipher.unlock(dest, secret, envelopes=backup_envelopes(backup_path), note=False)
    except cipher.WrongPassword as exc:
        raise cipher.WrongPassword(f"备份“{backup_path.name}”的密码不正确（应是做这份备份时台账的密码，"
                                   "或恢复单上的恢复密钥）。") from exc


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


def _not_ours(path: Path) -> UserError:
    return UserError(f"“{path.name}”是其他程序的文件，不是留守老人台账的备份，未作任何改动。")


def _newer(path: Path, version: int) -> UserError:
    return UserError(
        f"“{path.name}”由更新版本的本程序写入（数据格式第 {version} 版，本程序只认识到第 "
        f"{dbm.latest_version()} 版），不能用本程序恢复。请先安装最新版本。")


def _database_entry(zf: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    entries = [i for i in zf.infolist() if i.filename.lower().endswith(".db") and not i.is_dir()]
    if INFO_ENTRY not in zf.namelist() or len(entries) != 1:
        raise _not_ours(path)
    return entries[0]


def _inspect_zip(path: Path) -> BackupInfo:
    try:
        with zipfile.ZipFile(path) as zf:
            _database_entry(zf, path)
            facts = json.loads(zf.read(INFO_ENTRY).decode("utf-8"))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, KeyError) as exc:
        raise UserError(f"备份文件“{path.name}”已损坏，无法读取：{exc}") from exc
    if not isinstance(facts, dict):
        raise _not_ours(path)
    try:
        version = int(facts["schema_version"])
        if version > dbm.latest_version():
            raise _newer(path, version)
        kind, taken = _kind_and_time(path)
        if kind == "manual" and facts.get("taken_at"):
            with contextlib.suppress(ValueError, TypeError):
                taken = dt.datetime.fromisoformat(str(facts["taken_at"]))
        return BackupInfo(path=path, taken_at=taken, kind=kind, schema_version=version,
                          elders=int(facts["elders"]), visits=int(facts["visits"]),
                          agreements=int(facts["agreements"]), township_name=str(facts.get("township_name") or ""),
                          last_change_at=facts.get("last_change_at"), size_bytes=path.stat().st_size,
                          ledger_uuid=facts.get("ledger_uuid"), database_bytes=facts.get("database_bytes"),
                          encrypted=bool(facts.get("encrypted")))
    except (KeyError, TypeError, ValueError) as exc:
        raise _not_ours(path) from exc


def _inspect_database(path: Path) -> BackupInfo:
    try:
        dbm.recognise(path)
    except UserError as exc:
        if "更新版本" in str(exc):
            version = 0
            with contextlib.suppress(sqlite3.Error):
                conn = _open_read_only(path)
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                conn.close()
            raise _newer(path, version) from exc
        if "其他程序" in str(exc):
            raise UserError(f"“{path.name}”是其他程序的数据库，不是留守老人台账的备份，未作任何改动。") from exc
        raise UserError(f"备份文件“{path.name}”已损坏，无法读取。") from exc
    try:
        conn = _open_read_only(path)
    except sqlite3.Error as exc:
        raise UserError(f"无法打开备份文件“{path.name}”：{exc}") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"elders", "villages", "settings"} <= tables:  # an empty database is not a backup either
            raise UserError(f"“{path.name}”是其他程序的数据库，不是留守老人台账的备份，未作任何改动。")
        facts = _facts(conn)
        kind, taken = _kind_and_time(path)
        return BackupInfo(path=path, taken_at=taken, kind=kind, schema_version=facts["schema_version"],
                          elders=facts["elders"], visits=facts["visits"], agreements=facts["agreements"],
                          township_name=facts["township_name"], last_change_at=facts["last_change_at"],
                          size_bytes=path.stat().st_size, ledger_uuid=facts["ledger_uuid"],
                          database_bytes=path.stat().st_size)
    except sqlite3.DatabaseError as exc:
        raise UserError(f"备份文件“{path.name}”已损坏，无法读取：{exc}") from exc
    finally:
        conn.close()


def inspect_backup(path: str | Path, secret: str | None = None) -> BackupInfo:
    """Read what a backup holds without changing it (a compressed one: from its description, without unpacking).

    Raises ``UserError`` (Chinese) for a missing file, a file that is not a Township Desk backup (another
    program's database or archive), and one written by a newer version of the program than this one.
    """
    path = Path(path)
    if not path.is_file():
        raise UserError(f"找不到备份文件：{path}")
    try:
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError as exc:
        raise UserError(f"无法读取备份文件“{path.name}”：{exc.strerror or exc}") from exc
    if header.startswith(_ZIP_HEADER):
        return _inspect_zip(path)
    if cipher.is_encrypted(path) and (secret or cipher.remembered(path) or cipher.key_path(path).exists()):
        if secret:
            unlock_backup(path, secret)
        if cipher.remembered(path) is None:
            raise cipher.PasswordRequired(f"备份“{path.name}”是加密的，请输入做这份备份时台账的密码，或恢复单上的恢复密钥。")
        return replace(_inspect_database(path), encrypted=True)
    if header != _SQLITE_HEADER:
        raise UserError(f"“{path.name}”不是本程序的备份文件（不是数据库文件），未作任何改动。")
    return _inspect_database(path)


def _add_missing_indexes(database) -> None:
    """Build every index a current ledger has and this copy lacks: an index missing from an older or hand-made
    file costs only speed, so it is built rather than the backup refused."""
    have = {r[0] for r in database.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    for name, sql in dbm.expected_indexes(dbm.schema_version(database)).items():
        if name not in have:
            database.execute(sql)


def _remove_database_files(path: Path) -> None:
    for leftover in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(OSError):
            leftover.unlink()
    for bak in path.parent.glob(f"{path.name}.before-v*.bak"):
        with contextlib.suppress(OSError):
            bak.unlink()


def _unpack(path: Path, dest: Path) -> bool:
    """The database of a backup as a file ``dest``: unpacked from a .zip, copied from a database file. True when
    ``dest`` is then the compressed rows of an encrypted ledger (``packed_backup``), not the ledger itself."""
    if dest.exists():
        _remove_database_files(dest)
    with open(path, "rb") as fh:
        compressed = fh.read(4) == _ZIP_HEADER
    if compressed:
        try:
            with zipfile.ZipFile(path) as zf:
                facts = json.loads(zf.read(INFO_ENTRY).decode("utf-8"))
                with zf.open(_database_entry(zf, path)) as src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, 1024 * 1024)
        except (zipfile.BadZipFile, EOFError, zipfile.LargeZipFile, ValueError) as exc:
            raise UserError(f"备份文件“{path.name}”已损坏（压缩数据不完整），不能用来恢复：{exc}") from exc
        return isinstance(facts, dict) and facts.get("packed") == packed_backup.FORMAT
    src = _open_read_only(path)
    try:
        _copy_database(src, dest)
    finally:
        src.close()
    return False


def _prepare(path: Path, dest: Path, secret: str | None = None) -> BackupInfo:
    """Unpack the backup ``path`` to ``dest`` and prove it can replace the ledger: ours (``db.recognise``), not
    newer, ``integrity_check`` ok, and after migrating it up every table and column a current database has.
    On success ``dest`` is a current database in rollback-journal mode; on failure nothing is left at ``dest``."""
    info = inspect_backup(path, secret)
    try:
        packed = _unpack(path, dest)
        root = _unlock_copy(path, dest, secret)
        if packed and root is not None:  # the rows, compressed and encrypted: written out as the ledger
            rows = dest.with_name(dest.name + ".pack.part")
            try:
                os.replace(dest, rows)
                packed_backup.unpack(rows, root, dest, path.name)
            finally:
                _remove_database_files(rows)
        try:
            dbm.recognise(dest)
        except UserError as exc:
            raise UserError(f"“{path.name}”中的数据库不是留守老人台账（或已损坏），不能用来恢复。") from exc
        _rebuild_indexes(path, dest)
        conn = _open_copy(dest)
        try:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        except sqlite3.DatabaseError as exc:
            raise UserError(f"备份文件“{path.name}”已损坏，不能用来恢复：{exc}") from exc
        finally:
            conn.close()
        if result != ["ok"]:
            raise UserError(f"备份文件“{path.name}”已损坏（完整性检查未通过：{result[0]}），不能用来恢复。")
        try:
            migrated = dbm.connect(dest, migrate=False)
            try:
                dbm.migrate_database(migrated, None)  # an older backup is migrated up here, on the copy
                missing = dbm.missing_schema(migrated.conn, dbm.schema_version(migrated))
                if not missing:
                    _add_missing_indexes(migrated)
                migrated.execute("PRAGMA journal_mode = DELETE")
            finally:
                migrated.close()
        except (UserError, sqlite3.Error) as exc:
            raise UserError(f"备份文件“{path.name}”无法升级到本程序的数据格式，不能用来恢复：{exc}") from exc
        tables = [m for m in missing if "." not in m]
        if missing:
            what = "数据表：" + "、".join(tables[:5]) if tables else "字段：" + "、".join(missing[:5])
            raise UserError(f"备份文件“{path.name}”不完整（缺少{what}），不能用来恢复。")
    except BaseException:
        _remove_database_files(dest)
        raise
    for bak in dest.parent.glob(f"{dest.name}.before-v*.bak"):
        with contextlib.suppress(OSError):
            bak.unlink()
    return info


def check_backup(path: str | Path, secret: str | None = None) -> BackupInfo:
    """Everything ``restore`` checks, without restoring: unpacked to a temporary folder, ours, not newer,
    SQLite's full ``integrity_check``, and every table of a current database after migrating an older one."""
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="township-desk-check-") as folder:
        return _prepare(path, Path(folder) / "check.db", secret)


# ---------------------------------------------------------------------------------------------- restoring

def _keep_current(db_path: Path, now: dt.datetime) -> Path | None:
    """Keep the database about to be replaced: compressed in its ledger's backup folder, or, when it cannot be
    read as a database (the usual reason to restore), its raw files byte for byte in the backups folder."""
    if not db_path.exists():
        return None
    stamp = now.strftime(_STAMP)
    try:
        conn = dbm.open_file(str(db_path), db_path)
        try:
            ledger_uuid = _facts(conn)["ledger_uuid"]
            folder = ledger_folder(ledger_uuid) if ledger_uuid else paths.backups_dir()
            target = _unique(folder, lambda n: f"before-restore_{db_path.stem}_{stamp}{n}.zip")
            write_backup(_ConnHolder(conn), target, kind="before-restore", taken_at=now)
        finally:
            conn.close()
    except sqlite3.Error:
        target = _unique(paths.backups_dir(), lambda n: f"before-restore_{db_path.stem}_{stamp}{n}.db")
        try:
            shutil.copy2(db_path, target)
            wal = db_path.with_name(db_path.name + "-wal")
            if wal.exists():
                shutil.copy2(wal, target.with_name(target.name + "-wal"))
        except OSError as exc:
            raise _write_error(exc, target) from exc
    except OSError as exc:
        raise _write_error(exc, db_path) from exc
    return target


class _ConnHolder:
    """Lets ``write_backup`` (which expects a sqlite-utils Database) copy a plain sqlite3 connection."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)


def _settle_live(db_path: Path) -> None:
    """Fold the write-ahead log into the live file and remove -wal/-shm (``db.settle``). A damaged file goes on:
    its raw copy is already kept (``_keep_current``), so its log can go."""
    dbm.settle(db_path, lambda: dbm.open_file(str(db_path), db_path), damaged_raises=False,
               busy="数据库正被其他窗口或程序使用，无法恢复。请关闭本程序的其他窗口后重试。")


@dataclass(frozen=True)
class PreparedRestore:
    """A backup proved and unpacked beside the database (``tmp``), and the copy kept of the current one: all that
    is left is ``finish_restore`` (quick) or ``cancel_restore``."""

    db_path: Path
    backup_path: Path
    tmp: Path
    info: BackupInfo
    kept: Path | None
    root: bytes | None = None          # the restored copy's recovery key (None: a plain backup)
    envelopes: tuple = ()              # its key file (the password it was taken under)


def prepare_restore(db_path: str | Path, backup_path: str | Path, *,
                    now: dt.datetime | None = None, secret: str | None = None) -> PreparedRestore:
    """The slow part of a restore, safe while the window still has the database open (a worker thread may run
    it): ``unpack_backup`` then ``keep_current``. Nothing of the ledger is changed."""
    return keep_current(unpack_backup(db_path, backup_path, secret=secret), now=now)


def unpack_backup(db_path: str | Path, backup_path: str | Path, *, secret: str | None = None) -> PreparedRestore:
    """The backup (compressed or not, on this PC or a network share) unpacked beside the database and proved
    once (``_prepare``: ours, not newer, ``integrity_check``, migrated up, every table present); what it holds is
    ``info``. No copy of the current database is kept yet (``keep_current``); ``cancel_restore`` removes it.
    Nothing of the ledger is changed."""
    db_path = Path(db_path)
    backup_path = Path(backup_path)
    if db_path.exists() and backup_path.exists() and backup_path.resolve() == db_path.resolve():
        raise UserError("所选文件就是正在使用的数据库本身，不能用它来恢复。")
    if not db_path.parent.exists():
        raise UserError(f"数据库所在的文件夹不存在：{db_path.parent}")
    tmp = db_path.with_name(f".{db_path.name}.restoring")
    with _busy:
        try:
            info = _prepare(backup_path, tmp, secret)
            root = cipher.remembered(tmp) if cipher.is_encrypted(tmp) else None
            files.hide_temporary(tmp)  # the whole ledger, unpacked: not for a clerk browsing the folder
        except (sqlite3.Error, OSError) as exc:
            raise _write_error(exc, tmp) from exc
    envelopes = tuple(backup_envelopes(backup_path)) if root is not None else ()
    return PreparedRestore(db_path, backup_path, tmp, info, None, root, envelopes)


def keep_current(prepared: PreparedRestore, *, now: dt.datetime | None = None) -> PreparedRestore:
    """``prepared`` with a copy kept of the database it will replace (``before-restore_…``); on failure the
    unpacked backup is removed."""
    with _busy:
        try:
            kept = _keep_current(prepared.db_path, now or _now())
            _fsync(prepared.tmp)
        except BaseException:
            _remove_database_files(prepared.tmp)
            raise
    return replace(prepared, kept=kept)


def cancel_restore(prepared: PreparedRestore) -> None:
    """Remove the unpacked copy of a restore that is not going ahead."""
    _remove_database_files(prepared.tmp)


def finish_restore(prepared: PreparedRestore) -> Path | None:
    """Put the prepared copy in place of the database; returns the copy kept of what it replaced.

    The caller must have closed its own connections to the database first. The write-ahead log is folded in
    and removed, the copy renamed over the file (``os.replace``), and the restore written to the audit log
    ("恢复"). On failure the database is as it was.
    """
    db_path, tmp = prepared.db_path, prepared.tmp
    with _busy:
        try:
            if db_path.exists():
                _settle_live(db_path)
            files.reveal(tmp)  # the hidden attribute would move with the file onto the ledger itself
            keyfile = cipher.key_path(db_path)
            if prepared.envelopes:  # either password opens whichever file is in place if this is cut short
                cipher.write_key_file(keyfile, cipher.read_envelopes(keyfile) + list(prepared.envelopes))
            files.replace_file(tmp, db_path)  # retried while an antivirus holds either file
        except (sqlite3.Error, OSError, UserError) as exc:
            _remove_database_files(tmp)
            if isinstance(exc, UserError):
                raise
            if isinstance(exc, PermissionError):
                raise UserError("数据库文件正被其他程序占用或没有写入权限，无法恢复。原数据未改动。") from exc
            raise _write_error(exc, db_path) from exc
        for suffix in ("-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                db_path.with_name(db_path.name + suffix).unlink()
        # The restored ledger keeps the backup's own key: its password is the one the backup was taken under.
        cipher.forget(db_path)
        if prepared.root is not None:
            cipher.remember(db_path, prepared.root)
            if prepared.envelopes:
                cipher.write_key_file(cipher.key_path(db_path), list(prepared.envelopes))
        else:
            with contextlib.suppress(FileNotFoundError):
                cipher.key_path(db_path).unlink()
        cipher.forget(tmp)

    restored = dbm.connect(db_path)
    try:
        with restored.atomic():
            audit.record(restored, "恢复", "database", None, f"从备份恢复：{prepared.backup_path.name}", None,
                         str(prepared.kept.name) if prepared.kept else None, prepared.info.summary())
    finally:
        restored.close()
    return prepared.kept


def restore(db_path: str | Path, backup_path: str | Path, *, now: dt.datetime | None = None,
            secret: str | None = None) -> Path | None:
    """Put a backup back in place of the database at ``db_path``; returns the copy kept of what it replaced.

    ``prepare_restore`` then ``finish_restore``: the backup is proved before anything is touched, and the
    caller must have closed its own connections to ``db_path`` first.
    """
    return finish_restore(prepare_restore(db_path, backup_path, now=now, secret=secret))


# ---------------------------------------------------------------------------------------------- encrypting

def _is_plain_backup(path: Path) -> bool:
    try:
        with open(path, "rb") as fh:
            header = fh.read(16)
    except OSError:
        return False
    if header.startswith(_ZIP_HEADER):
        try:
            with zipfile.ZipFile(path) as zf:
                facts = json.loads(zf.read(INFO_ENTRY).decode("utf-8"))
        except (zipfile.BadZipFile, ValueError, KeyError, OSError):
            return False
        return isinstance(facts, dict) and not facts.get("encrypted")
    return header == _SQLITE_HEADER


def _encrypt_backup(path: Path, root: bytes, envelopes: list[dict]) -> None:
    """Replace the plain backup ``path`` by the same backup encrypted with R (the ledger's recovery key) and
    carrying ``envelopes``. The plain copy unpacked on the way lies beside the plain backup it comes from (no
    new place holds the data in clear) and is removed at once."""
    plain = path.with_name(f".{path.name}.plain.part")
    secret = path.with_name(f".{path.name}.enc.part")
    packed = path.with_name(f".{path.name}.pack.part")
    part = path.with_name(path.name + ".part")
    try:
        with open(path, "rb") as fh:
            compressed = fh.read(4) == _ZIP_HEADER
        if not compressed:
            cipher.export(path, None, secret, root)
            cipher.write_key_file(cipher.key_path(path), envelopes)
            files.replace_file(secret, path)
            return
        with zipfile.ZipFile(path) as zf:
            entry = _database_entry(zf, path)
            facts = json.loads(zf.read(INFO_ENTRY).decode("utf-8"))
            with zf.open(entry) as src, open(plain, "wb") as out:
                files.hide_temporary(plain)
                shutil.copyfileobj(src, out, 1024 * 1024)
        cipher.export(plain, None, secret, root)
        packed_backup.pack(secret, root, packed)
        facts.update(encrypted=True, packed=packed_backup.FORMAT)
        _zip_database(packed, part, entry.filename, facts, envelopes)
        _fsync(part)
        stat = path.stat()
        files.replace_file(part, path)
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # "changed since the last backup" goes by it
    finally:
        for leftover in (plain, secret, packed, part):
            with contextlib.suppress(OSError):
                leftover.unlink()


def encrypt_plain_backups(db, db_path: str | Path, progress=None) -> list[Path]:
    """After a password is set: every plain backup of this ledger (its automatic backups and copies kept before
    a restore, here and in the second backup place, and the copies kept before an upgrade beside the database) is
    encrypted with the ledger's key, so none is left readable beside the encrypted ledger. Returns those done;
    ``progress(done, total, text)`` is told before each."""
    if not isinstance(db.conn, cipher.CipherConnection):
        return []
    db_path = Path(db_path)
    root, envelopes = db.conn.root, cipher.envelopes_of(db)
    found = ledger_backups(db, db_path)
    second = paths.second_backup_dir()
    if second is not None and (second / _ledger_uuid(db)).is_dir():
        found += [e for e in (second / _ledger_uuid(db)).iterdir()
                  if (_AUTO.match(e.name) or _BEFORE.match(e.name)) and e.is_file()]
    found += list(db_path.parent.glob(f"{db_path.name}.before-v*.bak"))
    done = []
    plain = [path for path in found if _is_plain_backup(path)]
    with _busy:
        for number, path in enumerate(plain):
            if progress is not None:  # (done, total, text): a large township's backup takes a while each
                progress(number, len(plain), f"正在加密以前的备份（{number + 1}/{len(plain)}）：{path.name}")
            if _is_plain_backup(path):
                try:
                    _encrypt_backup(path, root, envelopes)
                except (OSError, sqlite3.Error, UserError, zipfile.BadZipFile) as exc:
                    raise UserError(f"备份“{path.name}”未能加密：{exc}。台账本身已加密；请稍后在“设置”中重试，"
                                    "或删除这份未加密的备份。") from exc
                done.append(path)
    return done
