"""``township-desk combine FILE.xlsx... -o FILE.xlsx``: the county's combined workbook.

Exit 1 when some files were left out (unreadable, failing checks, another month, a repeated township), or
a file's 探访关爱 sheet was left out of those sums (missing, or its figures cannot be true), listing them on stderr; exit 2 when no file could be used (nothing written).
"""

from __future__ import annotations

import sys

from township_desk.commands import common


def register(sub) -> None:
    parser = sub.add_parser("combine", help="县级汇总：合并多个乡镇的月度报表")
    parser.add_argument("files", nargs="+", metavar="FILE.xlsx", help="乡镇报表文件")
    parser.add_argument("-o", "--output", required=True, metavar="FILE.xlsx", help="保存为")
    parser.add_argument("--month", metavar="YYYY-MM", help="汇总月份（默认：多数报表的月份）")
    parser.add_argument("--county", default="", help="县（市、区）名称，印在标题上")
    common.add_db_option(parser)
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    from township_desk.models import combine, monthly
    from township_desk.printing.monthly_xlsx import combine_workbooks

    common.output_path(args)
    result = combine_workbooks(args.files, args.output, county=args.county, month=args.month)
    if args.json:
        common.print_json({"path": args.output, "month": result.month,
                           "sources": [{"file": str(s.path), "township": s.township, "month": s.month,
                                        "checks": s.result_text, "included": s.included, "message": s.message,
                                        "care_included": s.included and s.care is not None,
                                        "care_problem": s.care_problem or None}
                                       for s in result.sources],
                           "elders": result.rows[-1].col(1)})
    else:
        print(f"已汇总 {monthly.month_label(result.month)}：{len(result.included)} 个乡镇，"
              f"留守老年人 {result.rows[-1].col(1)} 人 → {args.output}")
    code = common.EXIT_OK
    if result.left_out:
        sys.stderr.write(f"以下 {len(result.left_out)} 个文件未计入汇总：\n{combine.left_out_text(result)}\n")
        code = common.EXIT_PROBLEMS
    older = [s for s in result.care_left_out if s.care_problem == combine.NO_CARE_SHEET]
    wrong = [s for s in result.care_left_out if s not in older]
    if wrong:
        lines = "\n".join(f"{s.path.name}（{s.township}）：{s.care_problem}" for s in wrong)
        sys.stderr.write(f"以下 {len(wrong)} 个文件的“探访关爱”表未计入汇总（其汇总表已计入）：\n{lines}\n")
        code = common.EXIT_PROBLEMS
    if older:
        sys.stderr.write(f"以下 {len(older)} 个文件没有“探访关爱”表（旧版报表），未计入探访关爱汇总："
                         f"{'、'.join(s.path.name for s in older)}\n")
    return code
