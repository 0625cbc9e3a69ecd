"""Time the ledger import of a 30,000-row workbook against a plain openpyxl read-only read (the floor).

Run: ``.venv/bin/python bench/bench_import.py [ROWS]``. Prints the seconds for building, the floor, reading
(``read_ledger``) and importing (``import_ledger`` into a new database), and the import/floor ratio
(target ≤ 1.5).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HEAD = ["序号", "村（社区）", "组", "姓名", "性别", "身份证号码", "出生日期", "民族", "现居住地址", "联系电话",
        "身体情况", "能力等级", "文化程度", "夫妻情况", "子女数量", "独居", "低保/特困", "照料情况", "主要经济来源",
        "巡访类别", "赡养人姓名", "与老人关系", "赡养人电话", "务工地点", "备注"]
VILLAGES = ["青山村", "河口村", "石桥村", "白果村", "龙塘社区", "新华村", "双河村", "观音村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = "德福秀英桂兰建国志明玉珍淑芬永华金凤成富长生春梅文华光荣"


def make_id(birth: dt.date, seq: int) -> str:
    from stdnum.cn import ric

    body = f"511102{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def build(path: Path, rows: int) -> None:
    import openpyxl

    rng = random.Random(7)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["某镇农村留守老年人关爱服务台账"])
    ws.append(["填报单位：某镇民政办"])
    ws.append(HEAD)
    seen = set()
    for i in range(rows):
        while True:
            birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 35))
            number = make_id(birth, rng.randrange(1, 1000))
            if number not in seen:
                seen.add(number)
                break
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
        ws.append([i + 1, rng.choice(VILLAGES), f"{rng.randint(1, 9)}组", name, "男" if int(number[16]) % 2 else "女",
                   number, birth.strftime("%Y.%m.%d"), "汉族", f"{rng.randint(1, 9)}组{rng.randint(1, 99)}号",
                   f"13{rng.randint(100000000, 999999999)}", rng.choice(["健康", "患病", "残疾"]),
                   rng.choice(["能力完好", "轻度失能", "中度失能"]), rng.choice(["文盲", "小学", "初中"]),
                   rng.choice(["双方健在", "一方健在"]), rng.randint(1, 4), rng.choice(["是", "否"]),
                   rng.choice(["", "低保", "特困"]), rng.choice(["有人照料", "无人照料"]),
                   rng.choice(["打工", "种养殖业", "政府救助"]), rng.choice(["重点", "一般"]),
                   name[0] + rng.choice(GIVEN) + rng.choice(GIVEN), rng.choice(["儿子", "女儿"]),
                   f"15{rng.randint(100000000, 999999999)}", rng.choice(["广东东莞", "浙江宁波", "成都"]), ""])
    ws.append(["合计", f"{rows}人"])
    wb.save(path)


def floor_read(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    count = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            count += len(row)
    wb.close()
    return count


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 30_000
    from township_desk.models import db as dbm
    from township_desk.models import ledger_import

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ledger.xlsx"
        start = time.perf_counter()
        build(path, rows)
        print(f"built {rows} rows in {time.perf_counter() - start:.1f} s ({path.stat().st_size / 1e6:.1f} MB)")

        start = time.perf_counter()
        cells = floor_read(path)
        floor = time.perf_counter() - start
        print(f"floor: openpyxl read-only read of {cells} cells: {floor:.2f} s")

        start = time.perf_counter()
        read = ledger_import.read_ledger(path)
        reading = time.perf_counter() - start
        print(f"read_ledger: {len(read.rows)} rows, {len(read.problems)} problems: {reading:.2f} s")

        db = dbm.connect(Path(tmp) / "bench.db")
        start = time.perf_counter()
        result = ledger_import.import_ledger(db, path)
        total = time.perf_counter() - start
        print(f"import_ledger: imported {result.imported}, updated {result.updated}, skipped {result.skipped}: "
              f"{total:.2f} s")
        print(f"ratio import/floor: {total / floor:.2f} (target ≤ 1.5)")

        # the same file again: everyone is already on the ledger (the update path, nothing changed)
        start = time.perf_counter()
        again = ledger_import.import_ledger(db, path)
        second = time.perf_counter() - start
        db.close()
        print(f"import_ledger again: imported {again.imported}, updated {again.updated}, "
              f"changed {len(again.changes)}: {second:.2f} s (ratio {second / floor:.2f})")


if __name__ == "__main__":
    main()
