"""The windowed Windows exe starts with ``sys.stdout = sys.stderr = None``. Every sub-command run that way keeps its
exit code, never crashes, and what it says lands in today's log file in the data folder."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from township_desk import runtime
from township_desk.cli import build_parser, main
from township_desk.models import paths

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def windowed():
    yield
    runtime.close_log()


def run(*argv: str) -> tuple[int, str]:
    """Run the command with no console, as in a PyInstaller ``console=False`` build (the streams None; set here,
    in the test's body, because pytest's capture sets its own streams between fixtures and the test).
    Returns the exit code (argparse's SystemExit too, as the exe would end) and what the log gained."""
    log = paths.log_file()
    before = log.read_text(encoding="utf-8") if log.exists() else ""
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = None
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    finally:
        sys.stdout, sys.stderr = saved
        runtime.close_log()
        gc.collect()  # the commands leave their connection to the process's end; in one process, close it now
    return code, log.read_text(encoding="utf-8")[len(before):]


def sub_commands() -> list[str]:
    parser = build_parser()
    action = next(a for a in parser._subparsers._group_actions if a.choices)  # noqa: SLF001 - argparse's own
    return sorted(action.choices)


def test_version_and_help_go_to_the_log(windowed):
    code, said = run("--version")
    assert code == 0 and "township-desk" in said
    code, said = run("--help")
    assert code == 0 and "命令" in said


@pytest.mark.parametrize("command", sub_commands())
def test_every_sub_command_help_exits_0(command, windowed):
    code, said = run(command, "--help")
    assert code == 0
    assert "usage" in said.lower()


@pytest.mark.parametrize("command", sub_commands())
def test_every_sub_command_with_a_wrong_option_exits_2(command, windowed):
    code, said = run(command, "--no-such-option")
    assert code == 2
    assert "参数错误" in said


def test_real_runs_keep_their_exit_codes(windowed, tmp_path):
    db = tmp_path / "demo.db"
    assert run("demo", "--db", str(db), "--elders", "12", "--as-of", "2026-11-22")[0] == 0

    code, said = run("elders", "--db", str(db), "--json")
    assert code == 0
    rows = json.loads(said[said.index("["):])
    assert len(rows) == 12

    assert run("overdue", "--db", str(db), "--as-of", "2026-11-22", "--json")[0] == 0
    assert run("print", "roster", "--db", str(db), "-o", str(tmp_path / "花名册.docx"))[0] == 0
    assert (tmp_path / "花名册.docx").exists()
    # The demo may or may not pass the county's cross-checks: either the workbook (0) or the Chinese list (2).
    code, said = run("export-monthly", "--month", "2026-10", "--db", str(db), "-o", str(tmp_path / "月报.xlsx"))
    assert code == (0 if (tmp_path / "月报.xlsx").exists() else 2)
    assert said.strip() and "Traceback" not in said
    assert run("backup", "--db", str(db), "-o", str(tmp_path / "备份.db"))[0] == 0
    code, said = run("restore", str(tmp_path / "备份.db"), "--db", str(db), "--yes")
    assert code == 0 and "已恢复" in said


def test_unusable_input_exits_2_with_the_message_in_the_log(windowed, tmp_path):
    code, said = run("elders", "--db", str(tmp_path / "没有这个.db"))
    assert code == 2
    assert "数据库文件不存在" in said
    code, said = run("import-ledger", str(tmp_path / "没有这个.xlsx"), "--db", str(tmp_path / "新.db"))
    assert code == 2
    assert "Traceback" not in said


def test_real_console_streams_are_left_alone(capsys):
    out, err = sys.stdout, sys.stderr
    runtime.ensure_streams()
    assert (sys.stdout, sys.stderr) == (out, err)
    assert not paths.log_file().exists()


def test_a_hard_crash_of_the_window_leaves_its_trace_in_the_log(tmp_path):
    env = {**os.environ, "TOWNSHIP_DESK_HOME": str(tmp_path)}
    code = ("import sys; sys.stdout = sys.stderr = None\n"
            "from township_desk import runtime\n"
            "runtime.enable_faulthandler()\n"
            "import faulthandler; faulthandler._sigsegv()\n")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, timeout=60)
    assert result.returncode != 0
    logs = list((tmp_path / "logs").glob("township-desk-*.log"))
    text = logs[0].read_text(encoding="utf-8")
    assert "程序启动" in text and "Fatal Python error" in text
