"""``township-desk import-ledger FILE.xlsx [--dry-run] [--accept-renames] [--json]``: a clerk's Excel ledger into the database."""

from __future__ import annotations

from township_desk.commands import common
from township_desk.models import ledger_import


def register(sub) -> None:
    parser = sub.add_parser("import-ledger", help="导入乡镇/村填报的留守老年人 Excel 台账")
    common.add_db_option(parser)
    parser.add_argument("file", metavar="FILE.xlsx", help="Excel 台账文件")
    parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    parser.add_argument("--accept-renames", action="store_true",
                        help="身份证号码已在台账中而姓名不同时，按表中姓名改名（默认不改，并作为问题列出）")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    """Exit 0 clean, 1 when any row was skipped or warned or a rename was left, 2 when the file cannot be used."""
    # The workbook is read before the database is opened, so an unusable file writes nothing at all.
    read = ledger_import.read_ledger(args.file)
    db = common.open_for_import(args, must_exist=False)
    try:
        result = ledger_import.import_ledger(db, args.file, dry_run=args.dry_run, read=read,
                                             accept_renames=args.accept_renames)
    finally:
        db.close()
    return common.report(args, result, summary)


def summary(result: ledger_import.ImportResult) -> str:
    """The Chinese report: counts, each problem, then what changed (or was left) for people already on the ledger."""
    lead = "试导入（未写入数据库）" if result.dry_run else "导入完成"
    warnings = sum(1 for p in result.problems if p.severity == "warning")
    lines = [f"{lead}：新增 {result.imported} 人，更新 {result.updated} 人，跳过 {result.skipped} 行，提醒 {warnings} 条。"]
    if result.new_villages:
        verb = "将新建" if result.dry_run else "新建了"
        lines.append(f"台账中原来没有的村（社区），{verb} {len(result.new_villages)} 个：{'、'.join(result.new_villages)}。"
                     "如是笔误，请在表中改正后重新导入。")
    if result.problems:
        lines.append("")
        lines.append("问题：")
        lines += [p.describe() for p in result.problems]
    if result.changes:
        lines.append("")
        lines.append("已在台账中的老人，更新的内容（原来 → 现在）：")
        for person in result.changes:
            lines.append(f"{person.name}（{person.id_number}）")
            for change in person.changes:
                left = "" if change.applied else "（未改：改名须确认）"
                lines.append(f"    {change.label}：{_text(change.old)} → {_text(change.new)}{left}")
    renames = result.renames_left
    if renames:
        lines.append("")
        lines.append(f"有 {len(renames)} 人表中姓名与台账不同，姓名未改。核实确为同一人改名后，"
                     "加 --accept-renames 重新导入即可改名。")
    return "\n".join(lines)


def _text(value) -> str:
    return "" if value is None else str(value)
