"""Time making and importing the visit return workbook (巡访回执表) for a large township, with peak memory.

Run: ``.venv/bin/python bench/bench_returns.py [ELDERS] [--keep DIR]`` (default 30,000). Builds the demo township
(``township-desk demo``), then each step in its own child process so the peak memory (max RSS) printed is that
step's own:

1. ``returns make`` for the whole township (one sheet per village);
2. filling it as visitors would (openpyxl: one home visit with every rating and a text date for every elder,
   a call for every other one) — the visitors' side, shown for scale;
3. ``returns import`` (read, check every row, one transaction);
4. the same file again (every row already on file: nothing added).

Measured 2026-11-30 on the shared 2-core build machine, demo of 30,000 elders (26,955 在册 in November, 75,997
prefilled rows in 9 village sheets, a 5.5 MB file):

    make                   19.2 s   peak  107 MB   (write-only; the fill columns unlocked as columns, their
                                                    empty cells not written)
    fill (visitors' side)  37.2 s   peak  714 MB   (openpyxl, a home visit with every rating for every elder)
    import                 23.3 s   peak  240 MB   (read + check every row 11.9 s; one transaction of 24,623
                                                    visits 11.0 s)
    import again            8.1 s   peak  248 MB   (every row already on file: nothing added)

The first version wrote every fill cell with its own style through a normal openpyxl workbook: make took 48.1 s
and 848 MB, and once filled and saved again by openpyxl the file was past the importer's 100 MB uncompressed
limit (``workbook_guard`` refused it).
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MONTH = "2026-11"
AS_OF = "2026-11-30"

CHILD = r"""
import json, resource, sys, time
sys.path.insert(0, {root!r})
started = time.perf_counter()
{body}
print(json.dumps({{"seconds": time.perf_counter() - started,
                   "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, **out}}))
"""

MAKE = """
import datetime as dt
from township_desk.models import db as dbm
from township_desk.printing.returns_xlsx import write_returns
db = dbm.connect({db!r})
w = write_returns(db, {month!r}, {path!r}, today=dt.date.fromisoformat({as_of!r}))
out = {{"elders": w.elders, "rows": w.rows, "sheets": len(w.sheets)}}
"""

FILL = """
import openpyxl
wb = openpyxl.load_workbook({path!r})
GOOD = ["良", "良", "中", "良", "优", "良", "安全", "安全", "安全"]
filled = 0
for ws in wb.worksheets:
    if ws.sheet_state != "visible":
        continue
    seen = set()
    for row in ws.iter_rows(min_row=4):
        key = row[0].value
        if not key or key in seen:
            continue
        seen.add(key)
        row[8].value = "11月5日"
        row[9].value = "上门"
        for k, v in enumerate(GOOD):
            row[10 + k].value = v
        filled += 1
wb.save({path!r})
out = {{"filled": filled}}
"""

IMPORT = """
import datetime as dt
from township_desk.models import db as dbm, returns
db = dbm.connect({db!r})
t0 = time.perf_counter()
staged = returns.read_and_stage(db, [{path!r}], today=dt.date.fromisoformat({as_of!r}))
t1 = time.perf_counter()
r = returns.import_returns(db, staged, today=dt.date.fromisoformat({as_of!r}))
out = {{"visits": r.visits, "skipped": r.skipped, "problems": len(r.problems), "read_and_check_s": t1 - t0,
        "write_s": time.perf_counter() - t1}}
"""


def child(body: str, **values) -> dict:
    code = CHILD.format(root=str(ROOT), body=body.format(**values))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8")
    if done.returncode:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    args = sys.argv[1:]
    elders = int(args[0]) if args and args[0].isdigit() else 30000
    keep = Path(args[args.index("--keep") + 1]) if "--keep" in args else None
    folder = keep or Path(tempfile.mkdtemp(prefix="bench_returns_"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"demo_{elders}.db"
    if not db.exists():
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "township_desk", "demo", "--db", str(db), "--elders", str(elders),
                        "--as-of", AS_OF], check=True, capture_output=True)
        print(f"demo of {elders} elders built in {time.perf_counter() - started:.1f} s")
    path = str(folder / "回执.xlsx")
    for label, body in (("make", MAKE), ("fill (visitors' side)", FILL), ("import", IMPORT), ("import again", IMPORT)):
        result = child(body, db=str(db), path=path, month=MONTH, as_of=AS_OF)
        seconds, peak = result.pop("seconds"), result.pop("peak_mb")
        extra = ", ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in result.items())
        print(f"{label:<22} {seconds:7.1f} s   peak {peak:6.0f} MB   {extra}")
    print(f"file: {Path(path).stat().st_size / 1e6:.1f} MB in {folder}")


if __name__ == "__main__":
    main()
