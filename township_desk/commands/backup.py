"""``township-desk backup -o FILE`` and ``township-desk restore FILE [--yes]``.

``backup`` writes a consistent copy of the database (SQLite's online backup API), safe while the window is
open: compressed when FILE ends in ``.zip``, else a plain database file. ``restore`` shows what the backup holds, asks for confirmation (``--yes`` skips it; without a terminal
it is required), keeps a copy of the database it replaces in the backups folder, then puts the backup back.
"""

from __future__ import annotations

import sys
from pathlib import Path

from township_desk.commands import common
from township_desk.models import backups, paths
from township_desk.models.db import InstanceLock
from township_desk.models.errors import UserError


def register(sub) -> None:
    parser = sub.add_parser("backup", help="备份数据库到一个文件（.zip 为压缩备份）")
    common.add_db_option(parser)
    parser.add_argument("-o", "--output", metavar="FILE", required=True,
                        help="备份文件：以 .zip 结尾时压缩（约为数据库的五分之一），否则为未压缩的数据库文件")
    common.add_json_option(parser)
    parser.set_defaults(func=run_backup)

    parser = sub.add_parser("restore", help="用备份文件恢复数据库（原数据库先另存一份）")
    common.add_db_option(parser)
    parser.add_argument("file", metavar="FILE", help="备份文件")
    parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
    common.add_json_option(parser)
    parser.set_defaults(func=run_restore)


def _info_json(info: backups.BackupInfo) -> dict:
    return {"file": str(info.path), "taken_at": info.taken_at.isoformat(sep=" "),
            "schema_version": info.schema_version, "township_name": info.township_name,
            "elders": info.elders, "visits": info.visits, "agreements": info.agreements,
            "last_change_at": info.last_change_at, "size_bytes": info.size_bytes,
            "database_bytes": info.database_bytes, "ledger_uuid": info.ledger_uuid}


def run_backup(args) -> int:
    target = common.output_path(args)
    db = common.open_db(args)
    try:
        backups.backup(db, target)
    finally:
        db.close()
    info = backups.inspect_backup(target)
    if args.json:
        common.print_json(_info_json(info))
    else:
        print(f"已备份到 {target}")
        print(info.summary())
    return common.EXIT_OK


def _is_interactive() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _backup_secret(source: Path) -> str | None:
    """The password of an encrypted backup: ``TOWNSHIP_DESK_BACKUP_PASSWORD``, else ``TOWNSHIP_DESK_PASSWORD``,
    else typed without echo; None for a plain backup."""
    import os

    from township_desk.models import cipher

    if not backups.needs_password(source):
        return None
    secret = os.environ.get(BACKUP_PASSWORD_ENV) or os.environ.get(cipher.ENV_PASSWORD)
    if secret:
        return secret
    if not _is_interactive():
        raise cipher.PasswordRequired(f"备份“{source.name}”是加密的：请设置环境变量 {BACKUP_PASSWORD_ENV}"
                                      "（做这份备份时台账的密码或恢复密钥），或在终端中运行以输入密码。")
    import getpass

    try:
        secret = getpass.getpass(f"备份“{source.name}”的密码（或恢复密钥）：")
    except (EOFError, KeyboardInterrupt) as exc:
        raise cipher.PasswordRequired("没有输入备份的密码，未作任何改动。") from exc
    if not secret:
        raise cipher.PasswordRequired("没有输入备份的密码，未作任何改动。")
    return secret


BACKUP_PASSWORD_ENV = "TOWNSHIP_DESK_BACKUP_PASSWORD"


def _confirmed(args, source: Path, db_path: Path, info) -> bool:
    """Show what the backup holds and what it replaces; True when ``--yes`` or the clerk typed y (exit 2 without a
    terminal to ask in)."""
    # Lines for people go to stderr under --json, so stdout holds only the JSON document.
    say = sys.stderr if args.json else sys.stdout
    print(f"备份文件：{source}", file=say)
    print(info.summary(), file=say)
    if info.last_change_at:
        print(f"备份中最后一次修改：{info.last_change_at}", file=say)
    print(f"将替换数据库：{db_path}（原数据库会先另存到 {paths.backups_dir()} 中本台账的文件夹）", file=say)
    if args.yes:
        return True
    if not _is_interactive():
        raise UserError("没有可交互的终端，无法确认。确认要恢复时请加 --yes。未作任何改动。")
    say.flush()
    try:
        answer = input("确定用这个备份替换当前数据库吗？输入 y 确认：").strip().lower()
    except EOFError:
        answer = ""
    if answer not in {"y", "yes", "是"}:
        print("已取消，未作任何改动。", file=say)
        return False
    return True


def run_restore(args) -> int:
    source = Path(args.file)
    db_path = Path(args.db) if getattr(args, "db", None) else paths.default_db_path()
    if db_path.exists():
        common.unlock(db_path)  # the ledger it replaces is kept as a copy: that reads it
    secret = _backup_secret(source)
    if not db_path.parent.exists():
        raise UserError(f"数据库所在的文件夹不存在：{db_path.parent}")
    # The window holds this lock while it has the database open; restoring under it would pull the
    # file out from beneath the clerk's work. Taken before the backup is unpacked beside the database.
    lock = InstanceLock(db_path)
    try:
        lock.acquire()
    except OSError as exc:  # no lock file can be made beside the database: its folder is read-only or locked down
        from township_desk.models.files import describe_os_error

        # Named by the database the clerk gave, not by our lock file beside it.
        raise UserError(describe_os_error(type(exc)(exc.errno, exc.strerror), where=db_path) + "未作任何改动。") from exc
    try:
        # Proved once, before anything is asked (a damaged, foreign or newer file, or a wrong password, is refused
        # here); the proved copy is the one put in place: a large township's backup is not checked twice.
        prepared = backups.unpack_backup(db_path, source, secret=secret)
        info, restored = prepared.info, False
        try:
            if _confirmed(args, source, db_path, info):
                kept = backups.finish_restore(backups.keep_current(prepared))
                restored = True
        finally:
            if not restored:  # cancelled, refused or failed: the unpacked copy goes
                backups.cancel_restore(prepared)
    finally:
        lock.release()
    if not restored:
        return common.EXIT_UNUSABLE
    if args.json:
        common.print_json({**_info_json(info), "database": str(db_path), "kept_copy": str(kept) if kept else None})
    else:
        print(f"已恢复。原数据库另存为：{kept}" if kept else "已恢复。")
    return common.EXIT_OK
