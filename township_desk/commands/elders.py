"""``township-desk elders [--village V] [--json]``: the ledger."""

from __future__ import annotations

from township_desk.commands import common
from township_desk.models import elders, groups, villages


def register(sub) -> None:
    parser = sub.add_parser("elders", help="列出台账中的老人")
    common.add_db_option(parser)
    parser.add_argument("--village", metavar="V", help="只列出该村（社区）")
    parser.add_argument("--group", metavar="G", help=f"只列出该类巡访对象（{'、'.join(groups.GROUPS)}）")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    db = common.open_db(args)
    if args.village:
        villages.require(db, args.village)  # UserError → one line on stderr, exit 2
    group = groups.require(args.group) if args.group is not None else None
    rows = elders.ledger_json(db, args.village, group)
    if args.json:
        common.print_json(rows)
        return common.EXIT_OK
    if not rows:
        print(f"台账中没有属于“{group}”的老人。" if group else "台账中没有老人。")
        return common.EXIT_OK
    header = ("村（社区）", "姓名", "性别", "出生日期", "身份证号码", "状态", "巡访类别", "风险等级", "巡访责任人", "最近上门",
              "巡访对象类别")
    print("\t".join(header))
    for r in rows:
        print("\t".join(str(v or "") for v in (r["village"], r["name"], r["sex"], r["birth_date"], r["id_number"],
                                               r["status"], r["tier"], r["risk_grade"], r["visitor"],
                                               r["last_home_visit"], "、".join(r["groups"]))))
    print(f"共 {len(rows)} 人")
    return common.EXIT_OK
