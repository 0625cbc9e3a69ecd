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
    "returns",
    "combine",
    "backup",
    "password",
    "print_cmd",
    "demo",
]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's exit code 2, one Chinese line instead of the usage block
        self.exit(2, f"参数错误：{translate_argparse_error(message)}（查看用法：{self.prog} -h）\n")


# argparse's own messages (Python 3.11–3.13 wording) and their Chinese; the first match wins.
_ARGPARSE_MESSAGES = [
    (r"the following arguments are required: (?P<a>.+)", "缺少必填参数 {a}"),
    (r"unrecognized arguments: (?P<a>.+)", "无法识别的参数 {a}"),
    (r"argument 命令: invalid choice: '?(?P<v>[^']*)'? \(choose from (?P<c>.+)\)", "没有“{v}”这个命令，可选：{c}"),
    (r"argument (?P<a>[^:]+): invalid choice: '?(?P<v>[^']*)'? \(choose from (?P<c>.+)\)",
     "参数 {a} 的值“{v}”无效，可选：{c}"),
    (r"argument (?P<a>[^:]+): invalid \S+ value: '?(?P<v>[^']*)'?", "参数 {a} 的值“{v}”无效"),
    (r"argument (?P<a>[^:]+): expected one argument", "参数 {a} 后面需要一个值"),
    (r"argument (?P<a>[^:]+): expected at least one argument", "参数 {a} 后面至少需要一个值"),
    (r"argument (?P<a>[^:]+): not allowed with argument (?P<b>.+)", "参数 {a} 不能与 {b} 同时使用"),
    (r"argument (?P<a>[^:]+): ignored explicit argument '?(?P<v>[^']*)'?", "参数 {a} 不接受值“{v}”"),
    (r"ambiguous option: (?P<a>\S+) could match (?P<b>.+)", "参数 {a} 有歧义，可能是 {b}"),
    (r"one of the arguments (?P<a>.+) is required", "必须给出 {a} 中的一个"),
    (r"argument (?P<a>[^:]+): (?P<m>.+)", "参数 {a}：{m}"),  # our own ArgumentTypeError text is Chinese already
]


def translate_argparse_error(message: str) -> str:
    """argparse's English error message in Chinese (unknown wording is passed through as is)."""
    import re

    for pattern, chinese in _ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message.strip(), flags=re.S)
        if match:
            parts = {k: v.replace("'", "").replace(", ", "、") for k, v in match.groupdict().items()}
            return chinese.format(**parts)
    return message


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
    from township_desk.models import files

    try:
        files.clean_at_start(common.db_path(args))  # what a killed job left behind (ID numbers in it)
    except OSError:
        pass
    return common.run_command(args)


if __name__ == "__main__":
    sys.exit(main())
