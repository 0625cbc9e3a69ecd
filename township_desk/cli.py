"""``township-desk``: with no sub-command it opens the window; sub-commands do the batch jobs (cli.md).

This module only parses arguments. Each sub-command lives in ``township_desk/commands/<name>.py`` with
``register(subparsers)`` and a ``run(args) -> int`` that calls ``models``/``printing``.
Exit codes: 0 done; 1 done with problems listed; 2 input or arguments unusable (message on stderr).
"""

from __future__ import annotations

import argparse
import sys
from importlib import import_module

from township_desk import APP_NAME, __version__, runtime

# The sub-commands, in the order ``--help`` lists them.
COMMAND_MODULES = [
    "elders",
    "import_ledger",
    "overdue",
    "export_monthly",
    "combine",
    "backup",
    "print_cmd",
    "demo",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's exit code 2 with a Chinese lead
        self.print_usage(sys.stderr)
        self.exit(2, f"参数错误：{message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="township-desk", description=f"{APP_NAME}（Township Desk）")
    parser.add_argument("--version", action="version", version=f"township-desk {__version__}")
    parser.add_argument("--db", metavar="PATH", help="数据库文件（默认：本机用户数据文件夹中的台账）")
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)
    for name in COMMAND_MODULES:
        import_module(f"township_desk.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    runtime.ensure_streams()  # the windowed exe has no stdout/stderr: they go to the log file
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8")
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        from township_desk.ui.app import run_window

        return run_window(args.db)
    from township_desk.commands import common

    return common.run_command(args)


if __name__ == "__main__":
    sys.exit(main())
