"""Writing files so that a crash never leaves half a file: write to a temporary name, then rename."""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from township_desk.models.errors import UserError


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; when the block succeeds it is renamed onto ``target``.

    On failure the temporary file is removed and ``target`` keeps whatever it held before.
    A file that is open in Word/Excel (Windows refuses the rename) gives a Chinese ``UserError``.
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
        try:
            os.replace(tmp, target)
        except PermissionError as exc:
            raise UserError(f"无法写入“{target.name}”：文件可能正在 Word/WPS/Excel 中打开，请关闭后重试。") from exc
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
