"""``township-desk export-monthly --month YYYY-MM -o FILE.xlsx [--submit | --correct "理由" | --draft] [--group G]``:
the monthly workbook for the county (forms.md), and the record of what was sent (``models.submissions``); with
``--group`` one visit group's 探访关爱 lines and 明细表 (no 汇总表, never sent).

Exit 2 with one Chinese message, nothing written, when a cross-check fails (the failing villages, columns and
elders), the month is malformed or not yet over (without ``--draft``), the ledger is empty or began after the
month, ``--submit`` names a month already sent, or ``--correct`` one never sent.
"""

from __future__ import annotations

from township_desk.commands import common


def register(sub) -> None:
    parser = sub.add_parser("export-monthly", help="导出报送县里的月度报表（汇总表、探访关爱等工作表）")
    common.add_db_option(parser)
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="报表月份，例如 2026-10")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="保存为")
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--submit", action="store_true",
                     help="确认上报：记录所报送的每个数字和文件的 SHA-256，以后再导出该月得到原样")
    how.add_argument("--correct", metavar="理由", help="更正上报：按现有记录重新统计已上报的月份并记录理由")
    how.add_argument("--draft", action="store_true", help="导出尚未结束的月份的草稿（标题注明“草稿（截至某日）”，不能上报）")
    parser.add_argument("--group", metavar="类别",
                        help="只导出该巡访对象类别（农村留守、城市独居、特殊困难、独居、空巢、失能、重残）的探访关爱表和明细表；"
                             "不含汇总表（汇总表是全乡镇的留守老人表），不能上报")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from township_desk.models import monthly
    from township_desk.printing.monthly_xlsx import export_monthly

    month = monthly.parse_month(args.month)  # a malformed month is a UserError → exit 2 before opening
    if args.group is not None:
        from township_desk.models import groups

        args.group = groups.require(args.group)  # an unknown group is refused before anything is opened
    common.output_path(args)
    mode = "submit" if args.submit else "correct" if args.correct is not None else "draft" if args.draft else None
    db = common.open_db(args)
    result = export_monthly(db, month, args.output, mode=mode, reason=args.correct, group=args.group)
    sent = result.submission
    if args.json:
        common.print_json({"path": str(result.path), "month": result.month, "group": args.group,
                           "sheets": list(result.sheets), "elders": result.elders,
                           "detail_rows": result.detail_rows, "hazards": result.hazard_rows,
                           "agreements": result.agreement_rows, "kind": result.kind,
                           "reproduced": result.reproduced, "sha256": result.sha256,
                           "submission": None if sent is None else {
                               "kind": sent.kind, "submitted_at": sent.submitted_at, "submitted_by": sent.submitted_by,
                               "sha256": sent.sha256, "reason": sent.reason}})
        return common.EXIT_OK
    label = monthly.month_label(result.month)
    if args.group is not None:
        print(f"已导出 {label} {args.group}老人探访关爱表{'草稿' if result.kind == '草稿' else ''}：{result.path}"
              f"（{args.group} {result.elders} 人在册，明细 {result.detail_rows} 行；不含汇总表）")
        return common.EXIT_OK
    print(f"已导出 {label} 月度报表{'草稿' if result.kind == '草稿' else ''}：{result.path}"
          f"（在册 {result.elders} 人，明细 {result.detail_rows} 行）")
    if result.kind in ("上报", "更正"):
        print(f"已记录{result.kind}：{sent.submitted_at}，{sent.submitted_by}，SHA-256 {sent.sha256}")
    elif result.reproduced:
        same = "与上报时一致" if result.sha256 == sent.sha256 else f"为 {result.sha256}"
        print(f"该月已上报，本文件按上报内容原样生成，SHA-256 {same}（{sent.describe()}）")
    return common.EXIT_OK
