"""A small ledger of every visit group with a month of visits (October 2026), for the 探访关爱 tests.

Built only through the long-standing model API (villages, visitors, elders.save_elder, change_status, a visits
row), so the same ledger is built by the code before the 探访关爱 sheet existed: ``summary_before.xml`` in
``tests/data`` is the 汇总表 that code wrote for it (``python -m tests.coverage_ledger OUT.xml`` writes it again).
"""

from __future__ import annotations

import datetime as dt

from tests.conftest import make_id

TODAY = dt.date(2026, 11, 20)
FILLED_ON = dt.date(2026, 11, 3)
COMPLETE = {"education": "小学", "care": "有人照料", "main_income": "打工", "visitor": "李巡访",
            "entered_on": "2026-01-05"}
AWAY = [{"name": "张子", "relation": "儿子", "phone": "13900001111", "away_since": "2024-01", "is_away": 1}]
HOME = [{"name": "张女", "relation": "女儿", "phone": "13900003333", "away_since": "2025-06", "is_away": 0}]

# name, birth, village, extra fields, supporters, visits in October 2026 (date, mode)
PEOPLE = [
    ("留守甲", "19500101", "青山村", {"spouse": "双方健在"}, AWAY, [("2026-10-03", "上门"), ("2026-10-20", "上门")]),
    ("留守乙", "19420202", "青山村", {"spouse": "一方健在", "lives_alone": 1}, AWAY, [("2026-10-08", "电话")]),
    ("留守丙", "19550303", "青山村", {"spouse": "双方健在", "ability_level": 3}, AWAY, []),
    ("留守丁", "19600404", "白鹤村", {"spouse": "一方健在"}, AWAY, [("2026-10-15", "视频")]),
    ("计生戊", "19520505", "白鹤村", {"spouse": "一方健在", "family_planning_special": 1, "care": "无人照料"},
     AWAY, [("2026-10-01", "上门")]),
    ("城市己", "19450606", "城东社区", {"spouse": "一方健在", "rural_hukou": 0, "lives_alone": 1}, AWAY,
     [("2026-10-10", "电话"), ("2026-10-11", "电话")]),
    ("城市庚", "19480707", "城东社区", {"spouse": "一方健在", "rural_hukou": 0, "lives_alone": 1}, AWAY, []),
    ("夫妻辛", "19470808", "城东社区", {"spouse": "双方健在", "rural_hukou": 0}, HOME, [("2026-10-12", "上门")]),
    ("暂离壬", "19490909", "青山村", {"spouse": "一方健在"}, AWAY, [("2026-10-02", "上门")]),
]


def build(db) -> dict[str, int]:
    """The ledger in ``db``: names → elder ids."""
    from township_desk.models import elders, settings, villages, visitors

    settings.put(db, {"township_name": "城关镇", "unit_head": "王主任", "preparer": "李专干", "reviewer": "赵复核"})
    for name in ("青山村", "白鹤村", "城东社区"):
        villages.save_village(db, {"name": name})
    visitors.save_visitor(db, {"name": "李巡访", "phone": "13900002222"})
    ids = {}
    for seq, (name, birth, village, extra, supporters, visits) in enumerate(PEOPLE):
        data = {"name": name, "id_number": make_id(birth, 11 + 2 * seq), "village": village, **COMPLETE, **extra}
        ids[name] = elders.save_elder(db, data, [dict(s) for s in supporters], today=TODAY).elder_id
        with db.atomic():
            for day, mode in visits:
                db.execute("INSERT INTO visits(elder_id, date, mode, visitor_name) VALUES (?, ?, ?, '李巡访')",
                           [ids[name], day, mode])
    elders.change_status(db, ids["暂离壬"], "暂离", "2026-10-25", "住院")
    return ids


def summary_xml(db, target) -> bytes:
    """The 汇总表 sheet's XML of the October 2026 workbook of ``db`` (written to ``target``)."""
    import zipfile

    from township_desk.printing.monthly_xlsx import export_monthly

    export_monthly(db, "2026-10", target, filled_on=FILLED_ON, today=TODAY)
    with zipfile.ZipFile(target) as book:
        return book.read("xl/worksheets/sheet1.xml")


if __name__ == "__main__":  # python -m tests.coverage_ledger OUT.xml
    import sys
    import tempfile
    from pathlib import Path

    from township_desk.models import db as dbm

    with tempfile.TemporaryDirectory() as folder:
        database = dbm.connect(Path(folder) / "ledger.db")
        build(database)
        Path(sys.argv[1]).write_bytes(summary_xml(database, Path(folder) / "月报.xlsx"))
        database.close()
