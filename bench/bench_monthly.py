"""Time the monthly export of a large township against the floor "read every elder row once".

    .venv/bin/python bench/bench_monthly.py [--elders 30000] [--calls-per-week 1]

Builds a ledger in a temp folder with bulk inserts (the clerk's path, save_elder, is timed elsewhere):
``--elders`` complete records in 30 villages, each with a year of visits (two home visits a month and the
weekly calls), some hazards and agreements, then times ``summary`` + ``cross_checks`` and the whole
``export_monthly`` and prints the ratio to the floor.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stdnum.cn import ric  # noqa: E402

from township_desk.models import db as dbm  # noqa: E402
from township_desk.models import monthly, settings  # noqa: E402
from township_desk.printing.monthly_xlsx import export_monthly  # noqa: E402

MONTH = "2026-10"


def make_id(birth: dt.date, seq: int) -> str:
    body = f"511102{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def build(db, n: int, calls_per_week: int, rng: random.Random) -> int:
    settings.put(db, {"township_name": "大型镇"})
    with db.atomic():
        db["villages"].insert_all([{"id": i, "name": f"第{i}村", "sort_order": i} for i in range(1, 31)])
        db["visitors"].insert_all([{"id": i, "name": f"巡访员{i}", "phone": f"1380000{i:04d}"} for i in range(1, 301)])
        seen: set[str] = set()
        rows, changes = [], []
        for k in range(1, n + 1):
            while True:
                birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 35))
                number = make_id(birth, rng.randrange(1000))
                if number not in seen:
                    seen.add(number)
                    break
            rows.append({
                "id": k, "id_number": number, "name": "老人", "sex": "男" if int(number[16]) % 2 else "女",
                "birth_date": birth.isoformat(), "village_id": 1 + k % 30, "visitor_id": 1 + k % 300,
                "education": rng.choice(("文盲", "小学", "初中", "高中及以上")), "spouse": rng.choice(("双方健在", "一方健在")),
                "care": rng.choice(("有人照料", "无人照料")), "children_away_years": rng.choice((0.5, 2, 4, 8)),
                "main_income": rng.choice(("打工", "种养殖业", "政府救助", "亲朋救济", "其他")),
                "is_disabled": int(rng.random() < .05), "is_ill": int(rng.random() < .1),
                "tier": rng.choice(("重点", "一般")), "entered_on": "2025-01-01", "current_address": "=某组1号",
            })
            changes.append({"elder_id": k, "date": "2025-01-01", "new_status": "在册", "reason": "纳入台账"})
        db["elders"].insert_all(rows, batch_size=2000)
        db["status_changes"].insert_all(changes, batch_size=5000)
        visits = []
        start = dt.date(2025, 11, 1)
        for k in range(1, n + 1):
            for month in range(12):
                first = dt.date(start.year + (start.month + month - 1) // 12, (start.month + month - 1) % 12 + 1, 1)
                for day in (3, 17):
                    visits.append((k, (first + dt.timedelta(days=day + k % 5)).isoformat(), "上门", 1 + k % 300))
            for week in range(52):
                for c in range(calls_per_week):
                    visits.append((k, (start + dt.timedelta(days=week * 7 + c * 3)).isoformat(), "电话", 1 + k % 300))
        db.conn.executemany("INSERT INTO visits(elder_id, date, mode, visitor_id) VALUES (?,?,?,?)", visits)
        db.conn.executemany("INSERT INTO hazards(elder_id, found_on, description) VALUES (?,?,?)",
                            [(k, "2026-10-05", "燃气") for k in range(1, n + 1, 50)])
    return len(visits)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=30000)
    parser.add_argument("--calls-per-week", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench_monthly_"))
    db = dbm.connect(folder / "bench.db")
    t = time.perf_counter()
    n_visits = build(db, args.elders, args.calls_per_week, random.Random(5))
    print(f"built {args.elders} elders, {n_visits} visits in {time.perf_counter() - t:.1f}s")

    t = time.perf_counter()
    rows = db.execute("SELECT * FROM elders").fetchall()
    floor = time.perf_counter() - t
    t = time.perf_counter()
    summary = monthly.summary(db, MONTH)
    failures = monthly.cross_checks(summary)
    counting = time.perf_counter() - t
    t = time.perf_counter()
    result = export_monthly(db, MONTH, folder / "月报.xlsx")
    export = time.perf_counter() - t
    assert not failures and summary.total.col(1) == len(rows) == result.elders
    print(f"floor (read every elder row once): {floor:.3f}s")
    print(f"summary + cross-checks:            {counting:.3f}s  ratio {counting / floor:.1f}x")
    print(f"export_monthly (5 sheets, xlsx):   {export:.3f}s  ratio {export / floor:.1f}x "
          f"({result.detail_rows} 明细 rows, {(folder / '月报.xlsx').stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
