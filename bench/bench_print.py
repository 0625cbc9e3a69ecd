"""Time batch printing: 300 notice cards, 300 registration forms, 300 agreements, each batch into one .docx.

Run: ``.venv/bin/python bench/bench_print.py [N] [--pdf]``. With ``--pdf`` each file is also converted to PDF
(LibreOffice, when installed). Builds a ledger of N elders (default 300) in a temp
folder with every registration field filled, one signed agreement each, then prints the seconds per batch.

``--scale [N]`` (default 3000): 登记表 and 巡访登记表 batches of N forms against a one-form print, each in its own
child process (``--child KIND COUNT DB``), so that time (process start to file written) and peak memory (max
RSS) are the print's own. Targets (issue 14): a batch's peak memory ≤ 4× a one-form print's, its time ≤ 20×.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林"
GIVEN = "德福秀英桂兰建国志明玉珍淑芬永华金凤成富长生春梅文华光荣"


def make_id(birth: dt.date, seq: int) -> str:
    from stdnum.cn import ric

    body = f"511102{birth:%Y%m%d}{seq % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def build(db, count: int) -> tuple[list[int], list[int]]:
    from township_desk.models import agreements, elders, settings

    today = dt.date(2026, 11, 22)
    settings.put(db, {"township_name": "青山镇", "office_phone": "0833-2345678", "preparer": "孙明"})
    elder_ids, agreement_ids = [], []
    with db.atomic():
        for n in range(count):
            birth = dt.date(1935 + n % 25, 1 + n % 12, 1 + n % 28)
            name = SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)] + GIVEN[(n * 7) % len(GIVEN)]
            result = elders.save_elder(db, {
                "name": name, "id_number": make_id(birth, 2 * (n // 25) + 1), "village": f"第{n % 8 + 1}村",
                "current_address": f"{n % 9 + 1}组{n}号", "education": "小学", "spouse": "一方健在",
                "children_count": 2, "children_birth_years": "1968,1972", "children_away_years": 5,
                "income_sources": "打工,种养殖业", "care": "有人照料", "visitor": f"巡访员{n % 20}",
                "visitor_phone": f"1390000{n % 20:04d}", "needs": "送餐 & 陪护", "difficulties": "行动不便",
            }, [{"name": "子女" + name[0], "relation": "儿子", "phone": "13700001111"}], today=today)
            elder_ids.append(result.elder_id)
            saved = agreements.save_agreement(db, {
                "elder_id": result.elder_id, "template": "自理" if n % 2 else "介助介护", "party_a_name": "子女",
                "party_b_name": "邻居", "term_years": 1, "start_date": "2026-03-01"}, today=today)
            agreement_ids.append(saved.agreement_id)
    return elder_ids, agreement_ids


def timed(label: str, fn) -> None:
    start = time.perf_counter()
    fn()
    print(f"{label}: {time.perf_counter() - start:.2f} s")


def child(kind: str, count: int, db_path: str) -> None:
    """One print in this process: the first ``count`` elders' forms; prints seconds and peak MB as JSON."""
    import json
    import resource

    start = time.perf_counter()
    from township_desk.models import db as dbm
    from township_desk.models import printouts
    from township_desk.printing import documents

    db = dbm.connect(db_path)
    ids = [r["id"] for r in printouts.looked_after(db)][:count]
    target = Path(db_path).parent / f"{kind}-{count}.docx"
    if kind == "registration":
        documents.print_registration(db, ids, target)
    else:
        documents.print_visit_forms(db, [{"elder_id": i} for i in ids], target)
    print(json.dumps({"seconds": time.perf_counter() - start,
                      "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                      "bytes": target.stat().st_size}))


def scale(count: int) -> None:
    """登记表 and 巡访登记表: one form against ``count`` forms, each in a child process."""
    import json
    import subprocess

    folder = Path(tempfile.mkdtemp(prefix="bench-print-scale-"))
    os.environ["TOWNSHIP_DESK_HOME"] = str(folder)
    from township_desk.models import db as dbm

    db_path = folder / "bench.db"
    db = dbm.connect(db_path)
    start = time.perf_counter()
    build(db, count)
    db.close()
    print(f"ledger of {count} elders built in {time.perf_counter() - start:.1f} s")

    def run(kind: str, n: int) -> dict:
        out = subprocess.run([sys.executable, __file__, "--child", kind, str(n), str(db_path)], check=True,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}).stdout
        return json.loads(out.strip().splitlines()[-1])

    for kind, label in (("registration", "登记表"), ("visit-form", "巡访登记表")):
        one, many = run(kind, 1), run(kind, count)
        print(f"{label}: 1 form {one['seconds']:.2f} s {one['peak_mb']:.0f} MB; {count} forms "
              f"{many['seconds']:.2f} s {many['peak_mb']:.0f} MB ({many['bytes'] / 1e6:.1f} MB file) — "
              f"time ×{many['seconds'] / one['seconds']:.1f} (target ≤ 20), "
              f"memory ×{many['peak_mb'] / one['peak_mb']:.2f} (target ≤ 4)")


def main() -> None:
    if "--child" in sys.argv:
        at = sys.argv.index("--child")
        child(sys.argv[at + 1], int(sys.argv[at + 2]), sys.argv[at + 3])
        return
    if "--scale" in sys.argv:
        numbers = [a for a in sys.argv[1:] if a.isdigit()]
        scale(int(numbers[0]) if numbers else 3000)
        return
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    count = int(numbers[0]) if numbers else 300
    folder = Path(tempfile.mkdtemp(prefix="bench-print-"))
    os.environ["TOWNSHIP_DESK_HOME"] = str(folder)
    from township_desk.models import db as dbm
    from township_desk.models import villages
    from township_desk.printing import agreement_doc, documents

    db = dbm.connect(folder / "bench.db")
    elder_ids, agreement_ids = build(db, count)
    timed(f"{count} 告知卡", lambda: documents.print_notice_cards(db, elder_ids, folder / "cards.docx"))
    timed(f"{count} 登记表", lambda: documents.print_registration(db, elder_ids, folder / "reg.docx"))
    timed(f"{count} 巡访登记表（空白带姓名）",
          lambda: documents.print_visit_forms(db, [{"elder_id": i} for i in elder_ids], folder / "visit.docx"))
    timed("花名册（全部村）", lambda: documents.print_roster(db, villages.names_in_order(db), folder / "roster.docx"))
    timed(f"{count} 互助协议", lambda: agreement_doc.print_agreements(db, agreement_ids, folder / "agreements.docx"))
    if "--pdf" in sys.argv:
        from township_desk.printing import convert

        for name in ("cards", "reg", "visit", "roster", "agreements"):
            timed(f"PDF {name}.docx", lambda n=name: convert.to_pdf(folder / f"{n}.docx"))
    print(f"files in {folder}")


if __name__ == "__main__":
    main()
