"""What every sub-command shares: ``--db`` on each, opening the database, JSON output, exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from township_desk.models.errors import UserError

EXIT_OK, EXIT_PROBLEMS, EXIT_UNUSABLE = 0, 1, 2


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """``--db`` is accepted after the sub-command as well as before it."""
    parser.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS,
                        help="数据库文件（默认：本机用户数据文件夹中的台账）")


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（UTF-8）")


def parse_date_arg(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期“{text}”应写作 YYYY-MM-DD") from exc


def open_db(args: argparse.Namespace, *, must_exist: bool = True):
    """The database named by ``--db`` (or the clerk's own); a missing file given by name is an input error."""
    from pathlib import Path

    from township_desk.models import db as dbm

    path = getattr(args, "db", None)
    if path and must_exist and not Path(path).exists():
        raise UserError(f"数据库文件不存在：{path}")
    return dbm.connect(path)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2, default=str))
    sys.stdout.write("\n")


def fail(message: str) -> int:
    sys.stderr.write(message.rstrip() + "\n")
    return EXIT_UNUSABLE


def run_command(args: argparse.Namespace) -> int:
    """Run the chosen sub-command; a clerk-fixable error becomes one Chinese line on stderr and exit 2."""
    try:
        return args.func(args)
    except UserError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return fail("已取消")
