"""A clerk's folders have Chinese names with spaces (C:\\Users\\张三\\Documents\\台账 数据). The console program builds
a ledger there, exports, prints and backs up, in a separate process with every text-file open checked for an
explicit encoding (``-X warn_default_encoding -W error::EncodingWarning``: the default is GBK on such a PC)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path, PureWindowsPath

from township_desk.models import files

ROOT = Path(__file__).resolve().parents[1]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TOWNSHIP_DESK_HOME": str(folder / "数据 文件夹")}
    # our own opens must name their encoding; openpyxl's ASCII temporary files need not
    command = [sys.executable, "-X", "warn_default_encoding", "-W", "error::EncodingWarning",
               "-W", "ignore::EncodingWarning:openpyxl.worksheet._writer", "-m", "township_desk", *args]
    return subprocess.run(command, cwd=folder, env=env, capture_output=True, timeout=300)


def test_the_console_program_works_in_a_chinese_folder_with_a_space(tmp_path):
    folder = tmp_path / "台账 数据"
    folder.mkdir()
    db = folder / "青山镇 台账.db"

    made = cli(folder, "demo", "--db", str(db), "--elders", "20", "--as-of", "2026-11-22")
    assert made.returncode == 0, made.stderr.decode("utf-8")

    listed = cli(folder, "elders", "--db", str(db), "--json")
    assert listed.returncode == 0, listed.stderr.decode("utf-8")
    assert len(json.loads(listed.stdout.decode("utf-8"))) == 20

    roster = folder / "花名册 2026.docx"
    printed = cli(folder, "print", "roster", "--db", str(db), "-o", str(roster))
    assert printed.returncode == 0 and roster.stat().st_size > 0, printed.stderr.decode("utf-8")

    workbook = folder / "月报 2026-10.xlsx"
    exported = cli(folder, "export-monthly", "--month", "2026-10", "--db", str(db), "-o", str(workbook))
    # The demo may fail the county's cross-checks: then one Chinese line and no file, never a traceback.
    assert exported.returncode == (0 if workbook.exists() else 2)
    assert b"Traceback" not in exported.stderr

    copy = folder / "备份 副本.db"
    backed = cli(folder, "backup", "--db", str(db), "-o", str(copy))
    assert backed.returncode == 0, backed.stderr.decode("utf-8")
    restored = cli(folder, "restore", str(copy), "--db", str(db), "--yes")
    assert restored.returncode == 0, restored.stderr.decode("utf-8")
    assert not list(folder.glob("*.tmp*")) and not list(folder.glob("*.part"))


def test_rename_messages_keep_a_unc_target_whole():
    """A save target on the county's file server is a UNC path; the message names it as the clerk typed it."""
    target = PureWindowsPath(r"\\县民政局\共享 文件\青山镇\花名册.docx")
    denied = PermissionError(13, "拒绝访问。")
    assert str(files.rename_error(denied, target, existed=True)) == f"没有权限写入“{target}”，请换一个保存位置。"
    held = PermissionError(13, "另一个程序正在使用此文件，进程无法访问。")
    held.winerror = 32
    assert "“花名册.docx”" in str(files.rename_error(held, target, existed=True))
    assert target.parent == PureWindowsPath(r"\\县民政局\共享 文件\青山镇")
