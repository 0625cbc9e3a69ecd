"""``township-desk password set|change|remove [--sheet FILE.docx]``: the ledger's password from the command line.

``set`` encrypts the ledger (and its backups) and prints the recovery key once (``--sheet`` also writes the
recovery sheet to print); ``change`` re-keys it (the recovery key stays); ``remove`` makes it a plain file again.
The current password comes from ``TOWNSHIP_DESK_PASSWORD`` or is typed without echo; the new one from
``TOWNSHIP_DESK_NEW_PASSWORD`` or is typed twice without echo. The window must not have the ledger open.
"""

from __future__ import annotations

import os
import sys

from township_desk.commands import common
from township_desk.models import cipher, protection
from township_desk.models.db import InstanceLock
from township_desk.models.errors import UserError

NEW_PASSWORD_ENV = "TOWNSHIP_DESK_NEW_PASSWORD"


def register(sub) -> None:
    parser = sub.add_parser("password", help="设置、修改或清除台账密码（设置后台账和备份都加密）")
    common.add_db_option(parser)
    parser.add_argument("action", choices=["set", "change", "remove"], help="set 设置；change 修改；remove 清除")
    parser.add_argument("--sheet", metavar="FILE.docx", help="设置密码时同时保存恢复单（Word 文件），请打印后妥善保管")
    parser.set_defaults(func=run)


def _ask(prompt: str) -> str:
    if not (sys.stdin and sys.stdin.isatty()):
        raise UserError(f"没有可交互的终端：请用环境变量 {NEW_PASSWORD_ENV} 给出新密码。未作任何改动。")
    import getpass

    try:
        return getpass.getpass(prompt)
    except (EOFError, KeyboardInterrupt) as exc:
        raise UserError("已取消，未作任何改动。") from exc


def _new_password() -> str:
    given = os.environ.get(NEW_PASSWORD_ENV)
    if given:
        return given
    first = _ask("新密码：")
    if first != _ask("再输入一次新密码："):
        raise UserError("两次输入的新密码不一致，未作任何改动。")
    return first


def run(args) -> int:
    path = common.db_path(args)
    if not path.exists():
        raise UserError(f"数据库文件不存在：{path}")
    sheet = common.output_path(args, args.sheet) if args.sheet else None
    encrypted = protection.is_set(path)
    if args.action == "set" and encrypted:
        raise UserError("台账已经设置了密码。要改密码，请用 password change。")
    if args.action != "set" and not encrypted:
        raise UserError("台账没有设置密码。")
    old = common.unlock(path)  # the current password (or recovery key), checked before anything else
    lock = InstanceLock(path)
    lock.acquire()  # not while the window (or another command changing the password) has it open
    try:
        cipher.clean_leftovers(path)
        if args.action == "set":
            new = _new_password()
            recovery = protection.set_password(path, new)
            if sheet is not None:
                from township_desk.printing import recovery_sheet

                recovery_sheet.write(path, recovery, sheet)
            print("已设置密码，台账和备份已加密。")
            print(f"恢复密钥：{recovery}")
            print("请把恢复密钥抄下或打印恢复单，锁在柜子里：忘记密码时只有它能打开台账。")
            if sheet is not None:
                print(f"恢复单已保存到 {sheet}，请打印后删除这个文件。")
            return common.EXIT_OK
        if args.action == "change":
            protection.change_password(path, old, _new_password())
            print("已修改密码。恢复密钥不变。")
        else:
            protection.remove_password(path, old)
            print("已清除密码，台账不再加密。以前加密的备份仍需当时的密码或恢复密钥才能恢复。")
        return common.EXIT_OK
    finally:
        lock.release()
