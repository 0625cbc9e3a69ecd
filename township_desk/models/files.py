"""Writing files so that a crash never leaves half a file: write to a temporary name, then rename."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from township_desk.models.errors import UserError

# Windows refuses a rename while another program holds either file open: ERROR_ACCESS_DENIED (5),
# ERROR_SHARING_VIOLATION (32), ERROR_LOCK_VIOLATION (33). An antivirus scanning a file just written holds it
# for a moment, so these are retried for about two seconds, as SQLite's own Windows layer does (winRetryIoerr).
SHARING_VIOLATIONS = frozenset({5, 32, 33})
RENAME_RETRY_SECONDS = 2.0


def is_sharing_violation(exc: BaseException) -> bool:
    """True for the Windows errors a program holding the file open causes (``winerror`` 5, 32 or 33)."""
    return isinstance(exc, OSError) and getattr(exc, "winerror", None) in SHARING_VIOLATIONS


def replace_file(source: str | Path, target: str | Path, *, retry_seconds: float | None = None) -> None:
    """``os.replace(source, target)``, retried while Windows reports a sharing violation (see above).

    Waits a little longer between tries (25 ms, 50 ms … at most 250 ms) for ``retry_seconds`` (default
    ``RENAME_RETRY_SECONDS``) in all; then the last error is raised. Any other error is raised at once.
    """
    limit = RENAME_RETRY_SECONDS if retry_seconds is None else retry_seconds
    deadline = time.monotonic() + limit
    attempt = 0
    while True:
        try:
            os.replace(source, target)
            return
        except OSError as exc:
            if not is_sharing_violation(exc) or time.monotonic() >= deadline:
                raise
        attempt += 1
        time.sleep(min(0.025 * attempt, 0.25, max(deadline - time.monotonic(), 0)))


def rename_error(exc: OSError, target: Path, *, existed: bool) -> UserError:
    """The Chinese message for a rename onto ``target`` that failed with ``exc`` (after ``replace_file``'s retries).

    Only a file that was already there and is held by another program can be "open in Word/WPS"; a new file
    held by another program is most often being scanned by the antivirus.
    """
    if is_sharing_violation(exc) and existed:
        return UserError(f"无法写入“{target.name}”：文件可能正在 Word/WPS/Excel 中打开，请关闭后重试。")
    if is_sharing_violation(exc):
        return UserError(f"无法保存“{target.name}”：文件刚写好就被其他程序（常见为杀毒软件）占用。"
                         "请稍后重试；若反复出现，请把保存的文件夹加入杀毒软件的信任区。")
    if getattr(exc, "errno", None) == 28:  # ENOSPC
        return UserError(f"磁盘已满，无法保存“{target.name}”。已有的文件未受影响。")
    if getattr(exc, "errno", None) == 30:  # EROFS
        return UserError(f"保存位置是只读的（例如写保护的 U 盘或光盘），无法保存“{target.name}”，请换一个保存位置。")
    if isinstance(exc, PermissionError):
        return UserError(f"没有权限写入“{target}”，请换一个保存位置。")
    return UserError(describe_os_error(exc, where=target))  # a missing folder, a folder in the way …: in Chinese


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block succeeds it is renamed onto ``target``.

    On failure the temporary file is removed and ``target`` keeps whatever it held before. The rename is
    retried while another program (an antivirus, Word) holds a file (``replace_file``); if it still fails, the
    Chinese ``UserError`` says what happened (``rename_error``).
    """
    target = Path(target)
    if not target.parent.exists():
        raise UserError(f"保存位置的文件夹不存在：{target.parent}")
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.tmp{target.suffix}")
    try:
        yield tmp
        try:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        except OSError:
            pass
        existed = target.exists()
        try:
            replace_file(tmp, target)
        except OSError as exc:
            raise rename_error(exc, target, existed=existed) from exc
    except OSError as exc:
        if getattr(exc, "errno", None) == 28:  # ENOSPC
            raise UserError(f"磁盘已满，无法保存“{target.name}”。已有的文件未受影响。") from exc
        if isinstance(exc, PermissionError):
            raise UserError(f"没有权限写入“{target}”，请换一个保存位置。") from exc
        raise
    finally:
        if tmp.exists():
            with contextlib.suppress(OSError):
                tmp.unlink()


def copy_unique(source: str | Path, folder: Path, stem: str) -> Path:
    """Copy ``source`` into ``folder`` (created if missing) as ``<stem><suffix>`` — or ``<stem>_2…`` when that name
    is taken, so nothing on file is ever overwritten — written atomically. Returns the copy's path."""
    source = Path(source)
    suffix = source.suffix.lower()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{stem}{suffix}"
    counter = 1
    while target.exists():
        counter += 1
        target = folder / f"{stem}_{counter}{suffix}"
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
    return target


def confined_path(stored: str, folder: str | Path, *, base: str | Path | None = None, what: str = "文件") -> Path:
    """The file a stored relative path names, resolved (symlinks followed) and checked to lie inside ``folder``.

    ``stored`` is relative to ``base`` (``folder`` when not given): a visit photo's path is relative to photos/, an
    agreement scan's to the data folder while it must lie in its agreements/. A path that is absolute, climbs out
    with ``..``, or leads out through a symlink (a crafted backup, a hand-edited database) is refused with a
    Chinese ``UserError`` naming ``what`` (照片, 扫描件) — such a file is never opened, launched or printed.
    The file need not exist; the caller says so when it does not.
    """
    from pathlib import PurePosixPath, PureWindowsPath

    text = str(stored or "").strip()
    refused = UserError(f"{what}路径“{text}”指向数据文件夹（{folder}）以外，已拒绝打开。"
                        "该记录可能来自被改动的备份，请核对。")
    if not text:
        raise UserError(f"{what}路径为空，无法打开")
    if PurePosixPath(text).is_absolute() or PureWindowsPath(text).drive or PureWindowsPath(text).root:
        raise refused
    try:
        root = Path(folder).resolve()
        target = (Path(base if base is not None else folder) / text).resolve()
    except (OSError, ValueError, RuntimeError) as exc:  # a NUL byte, a symlink loop
        raise refused from exc
    if target == root or not target.is_relative_to(root):
        raise refused
    return target


# ------------------------------------------------------------------------------------------ output paths

# Files SQLite keeps beside a database, and our own one-window lock: writing any of them ruins the ledger.
_DB_COMPANIONS = ("", "-wal", "-shm", "-journal", ".lock", ".key", ".attempts")  # .key/.attempts: models.cipher


def _same_place(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name the same file: by identity when both exist (a hard link or symlink is
    caught), otherwise by their resolved, case-normalised paths (a name that SQLite would use next)."""
    with contextlib.suppress(OSError, ValueError):
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
    try:
        return os.path.normcase(str(a.resolve())) == os.path.normcase(str(b.resolve()))
    except (OSError, RuntimeError, ValueError):
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def check_output_path(target: str | Path, db_path: str | Path | None) -> Path:
    """The file the clerk asked to write, if it may be written; else a Chinese ``UserError`` and nothing written.

    Refused: an existing folder, a missing folder to save into, and the open database ``db_path`` itself or any
    file SQLite keeps beside it (``-wal``, ``-shm``, ``-journal``) or its ``.lock`` — compared by file identity,
    so a hard link or a symlink to the database is refused too. Every command's ``-o`` and every save dialog of
    the window go through here.
    """
    target = Path(target)
    if str(target).strip() == "":
        raise UserError("请给出要保存的文件名。")
    if target.is_dir():
        raise UserError(f"“{target}”是一个文件夹，请给出要保存的文件名（例如 {target / '报表.xlsx'}）。")
    if not target.parent.exists() and not (target.is_symlink() and target.resolve().parent.exists()):
        raise UserError(f"保存位置的文件夹不存在：{target.parent}")
    if target.parent.exists() and not target.parent.is_dir():
        raise UserError(f"保存位置“{target.parent}”是一个文件，不是文件夹，请另选保存位置。")
    if db_path is not None:
        db_path = Path(db_path)
        for suffix in _DB_COMPANIONS:
            companion = db_path.with_name(db_path.name + suffix)
            if _same_place(target, companion):
                what = "正在使用的台账数据库" if not suffix else f"台账数据库的附属文件（{companion.name}）"
                raise UserError(f"不能保存到“{target}”：它就是{what}，写入会毁掉台账。请另选一个文件名。")
    return target


# ------------------------------------------------------------------------------------------ temporary files

# Our own temporary files, which hold the whole ledger or a document full of ID numbers while they are written:
# ``atomic_path``'s ``.<name>.<pid>.tmp<.suffix>``, the backups' ``<name>.part`` (a database or a .zip) and
# ``restore``'s ``.<name>.restoring`` (each with SQLite's ``-journal`` while it is written), and the folders
# ``township-desk-<job>-<random>`` in the system's temporary folder where a backup is unpacked to be checked.
# ``*.before-vN.bak`` is a kept copy, not a temporary file.
_ATOMIC_TMP = re.compile(r"^\..+\.(?P<pid>\d+)\.tmp(\.[A-Za-z0-9]{1,8})?$")
_SQLITE_TMP = re.compile(r"^(?:.+\.part|\..+\.restoring)(?P<journal>-journal)?$")
_SQLITE_HEADER = b"SQLite format 3\x00"
_JOURNAL_HEADER = b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7"
_ZIP_HEADER = b"PK\x03\x04"
_TEMP_FOLDER = re.compile(r"^township-desk-[a-z]+-[A-Za-z0-9_]{4,16}$")
# A temporary file without its writer's process number is taken as abandoned once it has not been written to
# for this long (SQLite writes it continuously while a backup or restore runs).
STALE_AFTER_SECONDS = 600


def pid_alive(pid: int) -> bool:
    """True when a process with this number is running on this computer (or we cannot tell)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if os.name == "nt":  # pragma: no cover - exercised on Windows
        try:
            import ctypes

            kernel32 = ctypes.windll.kernel32
            handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
            if not handle:
                return kernel32.GetLastError() == 5  # access denied: it exists
            try:
                code = ctypes.c_ulong()
                if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                    return True
                return code.value == 259  # STILL_ACTIVE
            finally:
                kernel32.CloseHandle(handle)
        except (AttributeError, OSError):
            return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _starts_with(path: Path, header: bytes) -> bool:
    try:
        with open(path, "rb") as fh:
            head = fh.read(len(header))
    except OSError:
        return False
    return head == header  # an empty file holds nothing and may be someone else's: left alone


def _is_stale_temporary(entry: Path, now: float) -> bool:
    name = entry.name
    match = _ATOMIC_TMP.match(name)
    if match:
        return not pid_alive(int(match.group("pid")))
    match = _SQLITE_TMP.match(name)
    if not match:
        return False
    try:
        idle = now - entry.stat().st_mtime
    except OSError:
        return False
    if idle < STALE_AFTER_SECONDS:
        return False
    if match.group("journal"):
        return _starts_with(entry, _JOURNAL_HEADER)
    if _starts_with(entry, _SQLITE_HEADER) or (name.endswith(".zip.part") and _starts_with(entry, _ZIP_HEADER)):
        return True
    from township_desk.models import cipher  # a part of an encrypted ledger's backup or restore

    return cipher.is_encrypted(entry)


def clean_stale_temporary_folders(folder: str | Path | None = None) -> list[Path]:
    """Remove ``township-desk-<job>-<random>`` folders in the system's temporary folder (``folder``) that nothing
    has written to for ``STALE_AFTER_SECONDS``: a backup unpacked there to be checked, by a job that was killed."""
    import shutil
    import tempfile
    import time

    root = Path(folder) if folder is not None else Path(tempfile.gettempdir())
    now = time.time()
    removed = []
    try:
        entries = [e for e in root.iterdir() if _TEMP_FOLDER.match(e.name)]
    except OSError:
        return removed
    for entry in entries:
        try:
            if entry.is_symlink() or not entry.is_dir():
                continue
            newest = max([entry.stat().st_mtime] + [p.stat().st_mtime for p in entry.iterdir()])
            if now - newest < STALE_AFTER_SECONDS:
                continue
            shutil.rmtree(entry)
        except OSError:
            continue
        removed.append(entry)
    return removed


def clean_stale_temporaries(folders) -> list[Path]:
    """Remove our own temporary files left in ``folders`` by a job that was killed; returns what was removed.

    Only names of the three patterns above are touched, and only when abandoned: the writer's process is gone
    (``atomic_path`` names carry its number) or, for SQLite's temporary copies, the file is a SQLite file that
    has not been written to for ``STALE_AFTER_SECONDS``. Called when the window and every command start, on the
    data folder, the database's folder and the backups folder. A file that cannot be removed is left for next time.
    """
    import time

    now = time.time()
    removed: list[Path] = []
    seen: set[str] = set()
    for folder in folders:
        if folder is None:
            continue
        folder = Path(folder)
        key = os.path.normcase(os.path.abspath(folder))
        if key in seen or not folder.is_dir():
            continue
        seen.add(key)
        try:
            entries = list(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_symlink() or not entry.is_file() or not _is_stale_temporary(entry, now):
                    continue
                entry.unlink()
            except OSError:
                continue
            removed.append(entry)
    return removed


_FILE_ATTRIBUTE_HIDDEN = 0x2


def _set_hidden(path: str | Path, hidden: bool) -> None:
    if os.name != "nt":
        return
    try:  # pragma: no cover - exercised on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32
        kernel32.GetFileAttributesW.restype = ctypes.c_uint32
        attributes = kernel32.GetFileAttributesW(str(path))
        if attributes == 0xFFFFFFFF:  # INVALID_FILE_ATTRIBUTES: no such file
            return
        wanted = attributes | _FILE_ATTRIBUTE_HIDDEN if hidden else attributes & ~_FILE_ATTRIBUTE_HIDDEN
        if wanted != attributes:
            kernel32.SetFileAttributesW(str(path), wanted)
    except (AttributeError, OSError, ValueError):
        pass


def hide_temporary(path: str | Path) -> None:
    """On Windows, give a temporary file the hidden attribute, so a clerk browsing the folder does not open or
    copy a half-written file full of ID numbers (elsewhere the leading dot of our names does that); best effort.
    Only for files SQLite writes (it opens an existing file without truncating, which Windows allows on a hidden
    file); ``reveal`` it before renaming it into place, or the finished file would be hidden too."""
    _set_hidden(path, True)


def reveal(path: str | Path) -> None:
    """Take the hidden attribute off again (Windows; nothing elsewhere)."""
    _set_hidden(path, False)


def clean_at_start(db_path: str | Path) -> list[Path]:
    """``clean_stale_temporaries`` on the data folder, the database's folder and the backups folder, and
    ``clean_stale_temporary_folders`` in the system's temporary folder."""
    from township_desk.models import paths

    try:  # looked in, never made: a refused command leaves no new folder either
        home = paths.data_dir(create=False)
        folders = [home, Path(db_path).parent, home / "backups"]
    except OSError:
        folders = [Path(db_path).parent]
    return clean_stale_temporaries(folders) + clean_stale_temporary_folders()


# ------------------------------------------------------------------------------------------ explaining errors

def _looks_temporary(name: str) -> bool:
    return bool(_ATOMIC_TMP.match(name) or _SQLITE_TMP.match(name))


def describe_os_error(exc: OSError, where: str | Path | None = None) -> str:
    """One Chinese line for a file-system error (read-only, no permission, disk full, missing, a folder).

    The file named is the one in the error, or ``where`` (the file the clerk chose) when the error names one of
    our temporary files, which the clerk never asked for.
    """
    name = getattr(exc, "filename", None)
    if name is not None and _looks_temporary(Path(str(name)).name):
        name = None  # our temporary file means nothing to the clerk
    if name is None:
        name = where
    place = f"“{name}”" if name else "文件"
    code = getattr(exc, "errno", None)
    if code == errno.ENOSPC:
        return f"磁盘已满，无法写入{place}。已保存的数据不受影响，请腾出空间后重试。"
    if code == errno.EROFS:
        return f"{place}所在的位置是只读的（例如写保护的 U 盘或光盘），无法写入。请换一个位置。"
    if isinstance(exc, PermissionError) or code in (errno.EACCES, errno.EPERM):
        return f"没有权限写入{place}，或它正在其他程序中打开。请关闭其他程序或换一个位置。"
    if isinstance(exc, IsADirectoryError):
        return f"{place}是一个文件夹，请给出文件名。"
    if isinstance(exc, FileNotFoundError):
        return f"找不到{place}或它所在的文件夹。"
    if isinstance(exc, NotADirectoryError):
        return f"{place}所在的位置不是文件夹，请另选保存位置。"
    if code in (errno.EINVAL, errno.ENAMETOOLONG):
        return f"文件名{place}无效或太长（不能含 \\ / : * ? \" < > | 等符号），请换一个名称。"
    return f"读写{place}时出错（{exc.strerror or exc}），未完成。"


# What the computer (not the program) can make go wrong: the clerk gets a message, not a crash dialog.
_ENVIRONMENT_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EPERM, getattr(errno, "EDQUOT", errno.ENOSPC)}


def explain_environment(exc: BaseException) -> str | None:
    """A Chinese message for an error the computer caused (the database busy, a full or read-only disk, a missing
    table, no permission), or None for anything else (a defect: the crash dialog and the log)."""
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        text = str(exc).lower()
        if any(k in text for k in ("locked", "busy", "full", "readonly", "read-only", "disk i/o", "no such table",
                                   "no such column", "malformed", "not a database", "unable to open")):
            from township_desk.models import db as dbm

            return str(dbm.explain(exc))
        return None
    if isinstance(exc, OSError) and (isinstance(exc, PermissionError) or exc.errno in _ENVIRONMENT_ERRNOS):
        return describe_os_error(exc)
    return None
