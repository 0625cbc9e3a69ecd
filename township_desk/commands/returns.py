"""``township-desk returns make --month YYYY-MM [--village V] [--visitor NAME] [--full-ids] -o FILE.xlsx`` and
``township-desk returns import FILE.xlsx... [--month YYYY-MM] [--open-hazards] [--dry-run] [--json]``: the visit
return workbook (``printing.returns_xlsx``) and its import (``models.returns``).

``import`` exits 0 when every filled row became a visit or was already on file, 1 when some rows have problems
(listed; the good rows are imported), 2 when a file cannot be used (not a return, another township's, another
month's than ``--month``): then nothing at all is imported. Hazards the visits propose are listed; they are
opened only with ``--open-hazards`` (a later run with it opens those of visits already imported).
"""

from __future__ import annotations

from township_desk.commands import common


def register(sub) -> None:
    parser = sub.add_parser("returns", help="巡访回执表：生成给各村填写的 Excel，导入填好的回执")
    common.add_db_option(parser)
    actions = parser.add_subparsers(dest="action", metavar="make|import", parser_class=type(parser))
    actions.required = True
    make = actions.add_parser("make", help="生成某月的巡访回执表（每村一个工作表）")
    common.add_db_option(make)
    make.add_argument("--month", required=True, metavar="YYYY-MM", help="月份，例如 2026-11")
    make.add_argument("--village", metavar="V", help="只生成某村（社区）")
    make.add_argument("--visitor", metavar="NAME", help="只生成某位巡访责任人负责的老人")
    make.add_argument("--full-ids", action="store_true", help="显示完整身份证号码（默认只显示前4位和后4位）")
    make.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="保存为")
    common.add_json_option(make)
    make.set_defaults(func=run_make)
    load = actions.add_parser("import", help="导入填好的巡访回执表（先核对每一行，再一次写入）")
    common.add_db_option(load)
    load.add_argument("files", nargs="+", metavar="FILE.xlsx", help="填好的回执表（可多个）")
    load.add_argument("--month", metavar="YYYY-MM", help="只接受该月的回执表")
    load.add_argument("--open-hazards", action="store_true", help="同时登记巡访中发现的风险隐患（默认只列出）")
    load.add_argument("--dry-run", action="store_true", help="只核对并报告，不写入数据库")
    common.add_json_option(load)
    load.set_defaults(func=run_import)


def run_make(args) -> int:
    from township_desk.models import returns
    from township_desk.printing.returns_xlsx import write_returns

    month = returns.parse_month(args.month)
    common.output_path(args)
    db = common.open_db(args)
    written = write_returns(db, month, args.output, village=args.village, visitor=args.visitor,
                            full_ids=args.full_ids)
    if args.json:
        common.print_json({"path": str(written.path), "month": written.month, "elders": written.elders,
                           "rows": written.rows, "sheets": written.sheets})
    else:
        print(f"已生成 {month} 巡访回执表：{written.path}（{len(written.sheets)} 个村，{written.elders} 位老人，"
              f"{written.rows} 行）")
    return common.EXIT_OK


def run_import(args) -> int:
    from township_desk.models import returns

    month = returns.parse_month(args.month) if args.month else None
    # Every file is read (workbook_guard.check_workbook first, then the reader) before the database is opened:
    # an unusable file writes nothing at all.
    reads = [returns.read_return(path) for path in args.files]
    db = common.open_for_import(args)
    try:
        staged = returns.stage_returns(db, reads, month=month)
        result = returns.import_returns(db, staged, open_hazards=args.open_hazards, dry_run=args.dry_run)
    finally:
        db.close()
    return common.report(args, result, summary)


def summary(result) -> str:
    """The Chinese report: counts, each problem row, the hazards proposed and whether they were opened."""
    lead = "试导入（未写入数据库）" if result.dry_run else "导入完成"
    already = sum(1 for o in result.outcomes if o.status == "skip")
    lines = [f"{lead}：登记巡访 {result.visits} 次，已登记过而跳过 {already} 行，有问题未导入 {len(result.problems)} 行。"]
    if result.problems:
        lines += ["", "问题："] + [p.describe() for p in result.problems]
    if result.hazards_proposed:
        opened = {id(o) for o in result.hazards_opened}
        lines += ["", "巡访发现的风险隐患："]
        for o in result.hazards_proposed:
            state = "已登记" if id(o) in opened else "未登记"
            lines.append(f"{o.village} {o.name} {o.date}：{o.hazard}（{state}）")
        if not result.hazards_opened and not result.dry_run:
            lines.append("核实后加 --open-hazards 重新导入即可登记这些风险隐患（巡访不会重复登记）。")
    return "\n".join(lines)
