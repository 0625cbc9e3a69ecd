"""``township-desk import-ledger FILE.xlsx [--dry-run] [--json]``: a clerk's Excel ledger into the database."""

from __future__ import annotations

from township_desk.commands import common
from township_desk.models import ledger_import


def register(sub) -> None:
    parser = sub.add_parser("import-ledger", help="导入乡镇/村填报的留守老年人 Excel 台账")
    common.add_db_option(parser)
    parser.add_argument("file", metavar="FILE.xlsx", help="Excel 台账文件")
    parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入数据库")
    common.add_json_option(parser)
    parser.set_defaults(func=run)


def run(args) -> int:
    """Exit 0 clean, 1 when any row was skipped or warned, 2 when the file cannot be used."""
    # The workbook is read before the database is opened, so an unusable file writes nothing at all.
    read = ledger_import.read_ledger(args.file)
    if args.dry_run:
        # A dry run works on an in-memory copy: no database is created, an older one is not migrated.
        from township_desk.models import db as dbm

        db = dbm.open_scratch_copy(common.db_path(args))
    else:
        db = common.open_db(args, must_exist=False)
    try:
        result = ledger_import.import_ledger(db, args.file, dry_run=args.dry_run, read=read)
    finally:
        db.close()
    if args.json:
        common.print_json(result.to_json())
    else:
        print(summary(result))
    return common.EXIT_PROBLEMS if result.has_problems else common.EXIT_OK


def summary(result: ledger_import.ImportResult) -> str:
    """The Chinese report: counts, each problem, then what changed for people already on the ledger."""
    lead = "试导入（未写入数据库）" if result.dry_run else "导入完成"
    warnings = sum(1 for p in result.problems if p.severity == "warning")
    lines = [f"{lead}：新增 {result.imported} 人，更新 {result.updated} 人，跳过 {result.skipped} 行，提醒 {warnings} 条。"]
    if result.problems:
        lines.append("")
        lines.append("问题：")
        lines += [p.describe() for p in result.problems]
    if result.changes:
        lines.append("")
        lines.append("已在台账中的老人，更新的内容：")
        for change in result.changes:
            lines.append(f"{change.name}（{change.id_number}）")
            lines += [f"    {label}：{'' if old is None else old} → {'' if new is None else new}"
                      for label, old, new in change.changes]
    return "\n".join(lines)
