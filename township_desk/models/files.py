"""Writing files so that a crash never leaves half a file: write to a temporary name, then rename."""

from __future__ import annotations

import contextlib
import os
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
    if isinstance(exc, PermissionError):
        return UserError(f"没有权限写入“{target}”，请换一个保存位置。")
    return UserError(f"无法保存“{target.name}”：{exc.strerror or exc}")


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
