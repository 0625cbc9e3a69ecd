"""``township-desk overdue --as-of DATE [--json]``: overdue home visits and last week's remote shortfalls.

The list is ``schedule.overdue``'s, the one overdue rule; this command only prints it.
"""

from __future__ import annotations

import datetime as dt

from township_desk.commands import common
from township_desk.models import groups, schedule, villages


def register(sub) -> None:
    parser = sub.add_parser("overdue", help="逾期未上门巡访和上周电话视频巡访不足的老人")
    common.add_db_option(parser)
    parser.add_argument("--as-of", metavar="DATE", type=common.parse_date_arg, default=None,
                        help="按哪一天计算（YYYY-MM-DD，默认今天）")
    parser.add_argument("--village", metavar="V", help="只列出该村（社区）")
    parser.add_argument("--group", metavar="G", help=f"只列出该类巡访对象（{'、'.join(groups.GROUPS)}）")
    parser.add_argument("--kind", choices=schedule.KINDS, help="只列出一类：home 逾期未上门，remote 电话视频不足")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    db = common.open_db(args)
    if args.village:
        villages.require(db, args.village)  # UserError → one line on stderr, exit 2
    group = groups.require(args.group) if args.group is not None else None
    as_of = args.as_of or dt.date.today()
    kinds = (args.kind,) if args.kind else schedule.KINDS
    items = schedule.overdue(db, as_of, village=args.village, kinds=kinds, group=group)
    if args.json:
        common.print_json([item.to_json() for item in items])
        return common.EXIT_OK
    home = [i for i in items if i.kind == "home"]
    remote = [i for i in items if i.kind == "remote"]
    week = schedule.last_complete_week(as_of)
    print(f"截至 {as_of.isoformat()}：逾期未上门 {len({i.elder_id for i in home})} 人；"
          f"上周（{week[0].isoformat()} 至 {week[1].isoformat()}）电话视频巡访不足 {len({i.elder_id for i in remote})} 人")
    if not items:
        return common.EXIT_OK
    print("\t".join(("村（社区）", "姓名", "身份证号码", "巡访类别", "类型", "应巡访日期", "逾期/不足", "巡访责任人", "电话")))
    for i in items:
        amount = f"逾期{i.days_overdue}天" if i.kind == "home" else f"缺{i.shortfall}次"
        print("\t".join(str(v or "") for v in (i.village, i.name, i.id_number, i.tier, i.kind_label,
                                               i.due_date.isoformat(), amount, i.visitor, i.visitor_phone)))
    return common.EXIT_OK
