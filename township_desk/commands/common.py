"""What every sub-command shares: ``--db`` on each, opening the database, JSON output, exit codes."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from township_desk.models.errors import UserError

log = logging.getLogger("township_desk")

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """``--db`` is accepted after the sub-command as well as before it."""
    parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help="数据库文件（默认：本机用户数据文件夹中的台账）")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（UTF-8）")


def parse_date_arg(text: str) -> dt.date:
    from township_desk.models import dates

    try:
        day = dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期“{text}”应写作 YYYY-MM-DD") from exc
    try:
        return dates.check_in_range(day)
    except UserError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def db_path(args: argparse.Namespace) -> Path:
    """The database file the command works on: ``--db`` or the clerk's own."""
    from township_desk.models import paths

    path = getattr(args, "db", None)
    return Path(path) if path else paths.default_db_path()


def output_path(args: argparse.Namespace, value: str | Path | None = None) -> Path:
    """``-o`` checked before anything is opened or written: never a folder, the database or a file beside it."""
    from township_desk.models.files import check_output_path

    return check_output_path(value if value is not None else args.output, db_path(args))


# Databases this command opened, closed when it ends (so no -wal/-shm stays beside them), and those it made
# (they did not exist before it ran): removed again when it ends with exit 2, so a refused command leaves no file.
_opened: list[Any] = []
_made: list[tuple[Path, Any]] = []


def open_db(args: argparse.Namespace, *, must_exist: bool = True):
    """The database named by ``--db`` (or the clerk's own); a missing file given by name is an input error."""
    from township_desk.models import db as dbm

    path = getattr(args, "db", None)
    if path and must_exist and not Path(path).exists():
        raise UserError(f"数据库文件不存在：{path}")
    target = db_path(args)
    existed = target.exists()
    unlock(target)
    db = dbm.connect(path)
    _opened.append(db)
    if not existed:
        _made.append((target, db))
    _hint_old_start_password(db, target)
    return db


def _hint_old_start_password(db, path: Path) -> None:
    """A ledger with only the old window-only start-up password is not encrypted: say so, and what to do."""
    from township_desk.models import cipher, security

    if security.is_set(db) and not cipher.is_encrypted(path):
        sys.stderr.write("提示：这个台账只设置了旧的启动密码，它只挡住窗口，台账文件没有加密（命令行不需要密码就能读）。"
                         "要加密台账和备份，请运行 township-desk password set（或在窗口“设置 → 台账密码”中设置）。\n")


def unlock(path: Path, *, log: bool = True) -> str | None:
    """An encrypted ledger (one with a password) is opened only with its password or recovery key: from
    ``TOWNSHIP_DESK_PASSWORD`` or typed without echo; missing or wrong, the command ends with exit 2. Wrong
    attempts go to the ledger's audit log at its next successful open (``log``). Returns the secret that opened
    it (None for a plain file)."""
    from township_desk.models import cipher

    secret = cipher.unlock_from_environment_or_prompt(path, where="命令行")
    if log and cipher.remembered(path) is not None and cipher.has_failures(path):
        from township_desk.models import db as dbm

        db = dbm.connect(path)
        try:
            cipher.log_failures(db, path)
        finally:
            db.close()
    return secret


def _remove_made_databases() -> None:
    while _made:
        path, db = _made.pop()
        with contextlib.suppress(Exception):
            db.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                path.with_name(path.name + suffix).unlink()


def open_for_import(args: argparse.Namespace, *, must_exist: bool = True):
    """The database an import works on: with ``--dry-run`` an in-memory copy (no database is created, an older
    one is not migrated, nothing is written beside it), else ``open_db``."""
    if args.dry_run:
        from township_desk.models import db as dbm

        unlock(db_path(args), log=False)  # a dry run writes nothing, not even the audit log
        return dbm.open_scratch_copy(db_path(args))
    return open_db(args, must_exist=must_exist)


def report(args: argparse.Namespace, result, summary: Callable[[Any], str]) -> int:
    """Print an import's result (``--json``: ``result.to_json()``; else the Chinese ``summary``) and return its
    exit code: 1 when it lists problems, else 0."""
    if args.json:
        print_json(result.to_json())
    else:
        print(summary(result))
    return EXIT_PROBLEMS if result.has_problems else EXIT_OK


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


def fail(message: str) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return EXIT_UNUSABLE


def _quiet_closed_pipe() -> int:
    """The reader of our output went away (``… | head``): stop quietly, without Python's complaint at exit."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    return EXIT_UNUSABLE


def _log_unexpected(exc: BaseException, command: str) -> None:
    """The traceback goes to the log file in the data folder, never to the clerk's screen."""
    with contextlib.suppress(Exception):
        from township_desk.models import paths

        if not any(isinstance(h, logging.FileHandler) for h in log.handlers):
            handler = logging.FileHandler(paths.logs_dir() / f"township-desk-{dt.date.today().isoformat()}.log",
                                          encoding="utf-8")
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            log.addHandler(handler)
        log.error("命令 %s 出错", command, exc_info=exc)


def run_command(args: argparse.Namespace) -> int:
    """Run the chosen sub-command; a clerk-fixable error becomes one Chinese line on stderr and exit 2.

    Errors of the database or the file system that reach here (a busy, full, read-only or damaged file) get a
    Chinese line too, with the traceback in the log file; a closed pipe ends quietly. A database this command
    made is removed again when it ends with exit 2.
    """
    from township_desk.models import db as dbm

    code = _run(args, dbm)
    try:
        sys.stdout.flush()  # a closed pipe shows here when the output was small enough to sit in the buffer
    except BrokenPipeError:
        code = _quiet_closed_pipe()
    if code == EXIT_UNUSABLE:
        _remove_made_databases()
    _made.clear()
    while _opened:
        with contextlib.suppress(Exception):
            _opened.pop().close()
    return code


def _run(args: argparse.Namespace, dbm) -> int:
    command = getattr(args, "command", "?")
    try:
        return args.func(args)
    except BrokenPipeError:
        return _quiet_closed_pipe()
    except UserError as exc:
        return _say(str(exc))
    except KeyboardInterrupt:
        return _say("已取消")
    except sqlite3.Error as exc:
        _log_unexpected(exc, command)
        return _say(str(dbm.explain(exc, db_path(args))))
    except OSError as exc:
        from township_desk.models.files import describe_os_error

        _log_unexpected(exc, command)
        return _say(describe_os_error(exc, where=getattr(args, "output", None) or getattr(args, "db", None)))
    except MemoryError as exc:
        _log_unexpected(exc, command)
        return _say("内存不足，未完成。请关闭其他程序后重试；已保存的数据不受影响。")
    except OverflowError as exc:  # date arithmetic past year 9999 and the like
        _log_unexpected(exc, command)
        return _say("输入的日期或数值超出了本程序能处理的范围，未完成。详情已写入日志。")


def _say(message: str) -> int:
    try:
        return fail(message)
    except BrokenPipeError:  # stderr closed as well
        return EXIT_UNUSABLE
