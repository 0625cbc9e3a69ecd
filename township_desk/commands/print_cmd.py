"""``township-desk print KIND [--elder ID] [--village V] [--group G] [--agreement N] [--visit N] [--blank]
[--full-ids] [--as-of DATE] [--copies 4] -o FILE.docx``: the printed documents (cli.md). Unknown
elder/village/agreement/group, or an option the kind does not use → exit 2, nothing written. ``--group``
narrows a village (or the township) to one 巡访对象类别 on the day; the 花名册 without it lists every group.

The kinds, their labels and which options apply come from ``printing.kinds.KINDS`` (as on the 打印 page);
this module turns the arguments into a ``Selection``."""

from __future__ import annotations

import datetime as dt
import sys

from township_desk.commands import common

# option name in printing.kinds.OPTIONS → (the argument's attribute, how the command line spells it)
_ARGUMENTS = {"elder": ("elder", "--elder"), "village": ("village", "--village"),
              "agreements": ("agreement", "--agreement"), "visit": ("visit", "--visit"), "blank": ("blank", "--blank"),
              "full_ids": ("full_ids", "--full-ids"), "as_of": ("as_of", "--as-of"), "copies": ("copies", "--copies"),
              "group": ("group", "--group")}


def register(sub) -> None:
    from township_desk.printing.kinds import KINDS

    labels = "、".join(k.label for k in KINDS.values())
    parser = sub.add_parser("print", help=f"打印{labels}（Word 文件）")
    common.add_db_option(parser)
    parser.add_argument("kind", choices=list(KINDS), metavar="KIND",
                        help=" | ".join(f"{code} {k.label}" for code, k in KINDS.items()))
    parser.add_argument("--elder", metavar="ID_NUMBER", help="某位老人（身份证号码）")
    parser.add_argument("--village", metavar="V", help="某村（社区）的全部老人，每人一页")
    parser.add_argument("--group", metavar="G", help="只打印该类巡访对象（农村留守、城市独居、特殊困难、独居、空巢、失能、"
                        "重残）；花名册不指定时列出全部巡访对象并注明类别")
    parser.add_argument("--agreement", type=int, metavar="N", help="协议编号（不指定时：--as-of 当月到期的已签订协议）")
    parser.add_argument("--visit", type=int, metavar="N", help="巡访记录编号（巡访登记表）")
    parser.add_argument("--blank", action="store_true", help="空白表（登记表、巡访登记表）")
    parser.add_argument("--full-ids", action="store_true", help="花名册显示完整身份证号码")
    parser.add_argument("--as-of", type=common.parse_date_arg, metavar="YYYY-MM-DD", help="截至日期（默认今天）")
    parser.add_argument("--copies", type=int, choices=(1, 4), help="互助协议一式四份（4）")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.docx", help="保存为")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def _refuse_unused(kind, args) -> None:
    from township_desk.models.errors import UserError

    for option, (attr, spelling) in _ARGUMENTS.items():
        value = getattr(args, attr, None)
        if value not in (None, False) and not kind.uses(option):
            raise UserError(f"{kind.label}（{kind.code}）不使用 {spelling}")


def run(args) -> int:
    from township_desk.models import printouts
    from township_desk.models.errors import UserError
    from township_desk.printing import kinds

    common.output_path(args)  # never the database, a file beside it, or a folder (exit 2, nothing written)
    kind = kinds.kind(args.kind)
    _refuse_unused(kind, args)
    group = None
    if args.group is not None:
        from township_desk.models import groups

        group = groups.require(args.group)  # an unknown group is refused before anything is opened
        if args.elder or args.visit is not None:
            raise UserError("--group 按对象类别挑选某村（社区）或全乡镇的老人，不能与 "
                            f"{'--elder' if args.elder else '--visit'} 同用")
    db = common.open_db(args)
    elder_id = printouts.elder_by_id_number(db, args.elder)["id"] if args.elder else None
    selection = printouts.Selection(
        kind=kind.code, elder_id=elder_id, village=args.village, visit_id=args.visit, blank=args.blank,
        full_ids=args.full_ids, as_of=args.as_of or dt.date.today(), copies=args.copies or 1,
        agreement_ids=(args.agreement,) if args.agreement is not None else None, group=group)
    if kind.uses("visit") and elder_id is not None and not args.blank and args.visit is None \
            and printouts.latest_home_visit_id(db, elder_id) is None:
        raise UserError(f"身份证号码为“{args.elder}”的老人还没有上门巡访记录；打印空白表请加 --blank，"
                        "打印某次电话或视频巡访请加 --visit 编号")
    items = kinds.preview(db, selection)  # unknown village/agreement/visit → exit 2 before anything is written
    problems: list[str] = []
    count = kinds.write(db, selection, args.output, items=items, problems=problems)
    if args.json:
        common.print_json({"kind": kind.code, "path": str(args.output), "count": count, "problems": problems})
    else:
        print(f"已生成{kind.label}：{args.output}（共 {count} {kind.unit}）")
        for problem in problems:
            print(f"注意：{problem}", file=sys.stderr)
    return common.EXIT_PROBLEMS if problems else common.EXIT_OK
