"""``township-desk print KIND [--elder ID] [--village V] [--agreement N] [--visit N] [--blank] [--full-ids]
[--as-of DATE] -o FILE.docx``: the printed documents (cli.md). Unknown elder/village/agreement → exit 2."""

from __future__ import annotations

import datetime as dt

from township_desk.commands import common

KIND_CHOICES = ("registration", "visit-form", "agreement", "roster", "notice-cards", "overdue")


def register(sub) -> None:
    parser = sub.add_parser("print", help="打印登记表、巡访登记表、互助协议、花名册、告知卡、逾期巡访清单（Word 文件）")
    common.add_db_option(parser)
    parser.add_argument("kind", choices=KIND_CHOICES, metavar="KIND",
                        help="registration 登记表 | visit-form 巡访登记表 | agreement 互助协议 | roster 花名册 | "
                             "notice-cards 告知卡 | overdue 逾期巡访清单")
    parser.add_argument("--elder", metavar="ID_NUMBER", help="某位老人（身份证号码）")
    parser.add_argument("--village", metavar="V", help="某村（社区）的全部老人，每人一页")
    parser.add_argument("--agreement", type=int, metavar="N", help="协议编号")
    parser.add_argument("--visit", type=int, metavar="N", help="巡访记录编号（巡访登记表）")
    parser.add_argument("--blank", action="store_true", help="空白表（登记表、巡访登记表）")
    parser.add_argument("--full-ids", action="store_true", help="花名册显示完整身份证号码")
    parser.add_argument("--as-of", type=common.parse_date_arg, metavar="YYYY-MM-DD", help="截至日期（默认今天）")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.docx", help="保存为")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def _elder_ids(db, args, documents) -> list[int]:
    if args.elder:
        return [documents.elder_by_id_number(db, args.elder)["id"]]
    if args.village:
        return documents.village_elder_ids(db, args.village)
    return documents.all_elder_ids(db)


def _agreement_ids(db, args, documents) -> list[int]:
    from township_desk.models import agreements

    if args.agreement is not None:
        agreements.get_agreement(db, args.agreement)  # unknown number → UserError → exit 2
        return [args.agreement]
    if args.elder:
        elder = documents.elder_by_id_number(db, args.elder)
        return [a["id"] for a in agreements.list_agreements(db, elder_id=elder["id"])]
    if args.village:
        documents.village_elder_ids(db, args.village)  # unknown village → exit 2
        return [a["id"] for a in agreements.list_agreements(db, status="已签订", village=args.village)]
    # no selector: signed agreements ending in the month of --as-of, for renewal at the village committee
    day = args.as_of or dt.date.today()
    first = day.replace(day=1)
    last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    rows = agreements.list_agreements(db, ending_within_days=(last - first).days, as_of=first)
    return [a["id"] for a in rows]


def run(args) -> int:
    from township_desk.models.errors import UserError
    from township_desk.printing import documents

    db = common.open_db(args)
    as_of = args.as_of or dt.date.today()
    kind = args.kind
    if kind == "registration":
        ids = [None] if args.blank else _elder_ids(db, args, documents)
        if not ids:
            raise UserError("没有符合条件的老人，未生成文件")
        count = documents.print_registration(db, ids, args.output, as_of=as_of)
    elif kind == "visit-form":
        if args.visit is not None:
            forms = [{"visit_id": args.visit}]
        elif args.elder:
            elder_id = documents.elder_by_id_number(db, args.elder)["id"]
            visit_id = None if args.blank else documents.latest_visit_id(db, elder_id)
            if not args.blank and visit_id is None:
                raise UserError(f"身份证号码为“{args.elder}”的老人还没有巡访记录；打印空白表请加 --blank")
            forms = [{"visit_id": visit_id}] if visit_id else [{"elder_id": elder_id}]
        elif args.village:  # forms for the visitors to take along, one per elder
            forms = [{"elder_id": i} for i in documents.village_elder_ids(db, args.village)]
        else:
            forms = [{}]
        if not forms:
            raise UserError("没有符合条件的老人，未生成文件")
        count = documents.print_visit_forms(db, forms, args.output)
    elif kind == "roster":
        if args.village:
            documents.village_elder_ids(db, args.village)
        villages = [args.village] if args.village else documents.all_villages(db)
        count = documents.print_roster(db, villages, args.output, full_ids=args.full_ids, as_of=as_of)
    elif kind == "notice-cards":
        ids = _elder_ids(db, args, documents)
        if not ids:
            raise UserError("没有符合条件的老人，未生成文件")
        count = documents.print_notice_cards(db, ids, args.output, as_of=as_of)
    elif kind == "overdue":
        count = documents.print_overdue(db, as_of, args.output, village=args.village)
    else:  # agreement
        from township_desk.printing import agreement_doc

        ids = _agreement_ids(db, args, documents)
        if not ids:
            raise UserError("没有符合条件的互助协议，未生成文件")
        count = agreement_doc.print_agreements(db, ids, args.output)
    if args.json:
        common.print_json({"kind": kind, "path": str(args.output), "count": count})
    else:
        print(f"已生成{documents.KINDS[kind]}：{args.output}（{count}）")
    return common.EXIT_OK
