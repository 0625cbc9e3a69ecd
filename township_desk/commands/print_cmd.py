"""``township-desk print KIND [--elder ID] [--village V] [--agreement N] [--visit N] [--blank] [--full-ids]
[--as-of DATE] -o FILE.docx``: the printed documents (cli.md). Unknown elder/village/agreement → exit 2.

Selection and printing are ``printing.documents.PrintRequest`` / ``print_request``, as on the 打印 page;
this module turns the arguments into a request."""

from __future__ import annotations

import datetime as dt
import sys

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
    parser.add_argument("--agreement", type=int, metavar="N", help="协议编号（不指定时：--as-of 当月到期的已签订协议）")
    parser.add_argument("--visit", type=int, metavar="N", help="巡访记录编号（巡访登记表）")
    parser.add_argument("--blank", action="store_true", help="空白表（登记表、巡访登记表）")
    parser.add_argument("--full-ids", action="store_true", help="花名册显示完整身份证号码")
    parser.add_argument("--as-of", type=common.parse_date_arg, metavar="YYYY-MM-DD", help="截至日期（默认今天）")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.docx", help="保存为")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def _agreement_ids(db, args, elder_id: int | None, documents) -> tuple[int, ...]:
    from township_desk.models import agreements

    if args.agreement is not None:
        agreements.get_agreement(db, args.agreement)  # unknown number → UserError → exit 2
        return (args.agreement,)
    if elder_id is not None:
        return tuple(a["id"] for a in agreements.list_agreements(db, elder_id=elder_id))
    if args.village:
        return tuple(a["id"] for a in agreements.list_agreements(db, status="已签订", village=args.village))
    return tuple(documents.agreements_ending_in_month(db, args.as_of or dt.date.today()))


def run(args) -> int:
    from township_desk.models.errors import UserError
    from township_desk.printing import documents

    common.output_path(args)  # never the database, a file beside it, or a folder (exit 2, nothing written)
    db = common.open_db(args)
    kind = args.kind
    elder_id = documents.elder_by_id_number(db, args.elder)["id"] if args.elder else None
    if args.village:
        documents.village_elder_ids(db, args.village)  # unknown village → exit 2 before anything is written
    request = documents.PrintRequest(kind=kind, elder_id=elder_id, village=args.village, visit_id=args.visit,
                                     blank=args.blank, full_ids=args.full_ids, as_of=args.as_of or dt.date.today())
    if kind == "agreement":
        request.agreement_ids = _agreement_ids(db, args, elder_id, documents)
    if kind == "visit-form" and elder_id is not None and not args.blank and args.visit is None \
            and documents.latest_visit_id(db, elder_id) is None:
        raise UserError(f"身份证号码为“{args.elder}”的老人还没有上门巡访记录；打印空白表请加 --blank，"
                        "打印某次电话或视频巡访请加 --visit 编号")
    pages = documents.request_pages(db, request)
    if not pages:
        raise UserError("没有符合条件的内容，未生成文件")
    problems: list[str] = []
    count = documents.print_request(db, request, args.output, problems=problems)
    if args.json:
        common.print_json({"kind": kind, "path": str(args.output), "count": count, "problems": problems})
    else:
        unit = {"roster": "人", "overdue": "项"}.get(kind, "份")
        print(f"已生成{documents.KINDS[kind]}：{args.output}（共 {count} {unit}）")
        for problem in problems:
            print(f"注意：{problem}", file=sys.stderr)
    return common.EXIT_PROBLEMS if problems else common.EXIT_OK
