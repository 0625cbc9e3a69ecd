"""``township-desk export-monthly --month YYYY-MM -o FILE.xlsx``: the monthly workbook for the county (forms.md).

Exit 2 with the Chinese list of failing villages, columns and elders when a cross-check fails, or when the
month is malformed; nothing is written then.
"""

from __future__ import annotations

from township_desk.commands import common


def register(sub) -> None:
    parser = sub.add_parser("export-monthly", help="导出报送县里的月度报表（汇总表等五个工作表）")
    common.add_db_option(parser)
    parser.add_argument("--month", required=True, metavar="YYYY-MM", help="报表月份，例如 2026-10")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="保存为")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from township_desk.models import monthly
    from township_desk.printing.monthly_xlsx import export_monthly

    month = monthly.parse_month(args.month)  # a malformed month is a UserError → exit 2 before opening
    common.output_path(args)
    db = common.open_db(args)
    result = export_monthly(db, month, args.output)
    if args.json:
        common.print_json({"path": str(result.path), "month": result.month, "elders": result.elders,
                           "detail_rows": result.detail_rows, "hazards": result.hazard_rows,
                           "agreements": result.agreement_rows})
    else:
        print(f"已导出 {monthly.month_label(result.month)} 月度报表：{result.path}"
              f"（在册 {result.elders} 人，明细 {result.detail_rows} 行）")
    return common.EXIT_OK
