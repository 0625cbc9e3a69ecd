"""``township-desk demo --db PATH [--elders N] [--seed S] [--as-of DATE]``: write a demo township.

``--db`` is required here: a demo is never written into the clerk's own database.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from township_desk.commands import common
from township_desk.models import paths
from township_desk.models.errors import UserError

MAX_ELDERS = 200_000


def _elder_count(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"老人人数“{text}”应为整数") from exc
    if not 1 <= value <= MAX_ELDERS:
        raise argparse.ArgumentTypeError(f"老人人数应在 1 到 {MAX_ELDERS} 之间，实为 {value}")
    return value


def _seed(text: str) -> int:
    try:
        return int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"种子“{text}”应为整数") from exc


def register(sub) -> None:
    parser = sub.add_parser("demo", help="生成演示乡镇的数据（写入 --db 指定的新数据库）")
    common.add_db_option(parser)
    parser.add_argument("--elders", type=_elder_count, default=300, metavar="N", help="老人人数（默认 300）")
    parser.add_argument("--seed", type=_seed, default=1, metavar="S", help="随机种子，相同种子生成相同数据（默认 1）")
    parser.add_argument("--as-of", type=common.parse_date_arg, default=None, metavar="DATE",
                        help="基准日 YYYY-MM-DD（默认今天）：年龄、巡访和协议都以此日为准")
    parser.set_defaults(func=run)


class _ProgressPrinter:
    """One line per stage, and one per tenth of a long stage, so a 30,000-elder run does not flood the terminal."""

    def __init__(self) -> None:
        self.text = ""
        self.tenth = -1

    def __call__(self, done: int, total: int, text: str) -> None:
        tenth = done * 10 // total if total else -1
        if text != self.text:
            self.text, self.tenth = text, tenth
            print(text, flush=True)
        elif total and tenth != self.tenth and tenth < 10:
            self.tenth = tenth
            print(f"  {done}/{total}", flush=True)


def run(args) -> int:
    from township_desk.models import demo

    db_path = getattr(args, "db", None)
    if not db_path:
        return common.fail("生成演示数据必须用 --db 指定一个新的数据库文件；演示数据不会写入您本人的台账。")
    if Path(db_path).resolve() == paths.default_db_path().resolve():
        return common.fail(f"--db 指定的是您本人的台账（{db_path}），演示数据不会写入其中，请另选一个文件。")
    db = common.open_db(args, must_exist=False)
    try:
        summary = demo.generate(db, elders=args.elders, seed=args.seed, as_of=args.as_of,
                                progress=_ProgressPrinter())
    except KeyboardInterrupt:
        raise UserError("已取消生成演示数据，数据库未作改动。") from None
    finally:
        db.close()
    for line in summary.lines():
        print(line)
    print(f"已写入 {db_path}（用时 {summary.seconds:.1f} 秒）")
    return common.EXIT_OK
