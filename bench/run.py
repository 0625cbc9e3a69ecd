"""Township Desk benchmark: a 30,000-elder township with a year of visits, each part beside a floor.

    .venv/bin/python bench/run.py [--elders 30000] [--keep DIR]

Every part runs in its own child process (``--part NAME``) so its peak memory (``resource.getrusage``,
max RSS) is its own. A part whose module has not landed yet prints "not available" and why — never a made-up
number. Floors are measured in the same run on the same data: a bare PySide6 window start, reading every row
of the database once, and an openpyxl read-only read of the same workbook.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

MONTH = "2026-10"
AS_OF = dt.date(2026, 10, 31)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _has(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except ModuleNotFoundError:
        return False


class NotAvailable(Exception):
    pass


# ------------------------------------------------------------------------------------------ parts (child side)

def part_demo(work: Path, elders: int) -> dict:
    from township_desk.models import db as dbm

    path = work / "township.db"
    if path.exists():
        path.unlink()
    if _has("township_desk.commands.demo"):
        from township_desk.cli import main

        start = time.perf_counter()
        code = main(["demo", "--db", str(path), "--elders", str(elders), "--as-of", AS_OF.isoformat()])
        seconds = time.perf_counter() - start
        if code not in (0, 1):
            raise NotAvailable(f"demo exited {code}")
        note = "township-desk demo"
    else:
        import bench_monthly  # bulk rows with a year of visits, hazards, agreements

        db = dbm.connect(path)
        start = time.perf_counter()
        bench_monthly.build(db, elders, 1, random.Random(5))
        seconds = time.perf_counter() - start
        db.close()
        note = "demo command not landed: bench_monthly.build bulk rows"
    db = dbm.connect(path)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("elders", "visits", "agreements")}
    db.close()
    return {"seconds": seconds, "note": f"{note}; {counts}"}


def part_full_read(work: Path, elders: int) -> dict:
    from township_desk.models import db as dbm

    db = dbm.connect(work / "township.db")
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    start = time.perf_counter()
    rows = 0
    for table in tables:
        for _row in db.execute(f"SELECT * FROM [{table}]"):
            rows += 1
    return {"seconds": time.perf_counter() - start, "note": f"{rows} rows in {len(tables)} tables"}


def _first_paint_seconds(make_window) -> float:
    """Seconds from this process's start (interpreter included) to the window's first paint."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    painted = []

    class Spy(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
            if event.type() == QEvent.Type.Paint and not painted:
                painted.append(time.time())
            return False

    spy = Spy()
    app.installEventFilter(spy)
    window = make_window()
    window.show()
    while not painted:
        app.processEvents()
    return painted[0] - PROCESS_START


def part_bare_window(work: Path, elders: int) -> dict:
    from PySide6.QtWidgets import QMainWindow

    return {"seconds": _first_paint_seconds(QMainWindow), "note": "QApplication + empty QMainWindow, from process start"}


def part_window(work: Path, elders: int) -> dict:
    """Process start → first paint of the main window showing the 台账 page over the demo township."""
    if not (_has("township_desk.ui.main_window") and _has("township_desk.ui.ledger_page")):
        raise NotAvailable("ui/main_window.py or ui/ledger_page.py not landed")

    def make_window():
        from township_desk.ui.app import make_application, open_context
        from township_desk.ui.main_window import MainWindow

        make_application()
        window = MainWindow(open_context(work / "township.db"))
        window.show_page("台账")
        window.resize(1280, 800)
        return window

    seconds = _first_paint_seconds(make_window)
    from PySide6.QtWidgets import QApplication

    window = next(w for w in QApplication.topLevelWidgets() if w.__class__.__name__ == "MainWindow")
    shown = window.current_page().model.rowCount()
    return {"seconds": seconds, "note": f"台账 page, {shown} rows fetched of the ledger"}


def part_keystroke(work: Path, elders: int) -> dict:
    """One character typed in the 台账 search box → the table holds the matching rows (median of 20 keystrokes,
    the debounce timer left out: Enter runs the same query at once)."""
    if not _has("township_desk.ui.ledger_page"):
        raise NotAvailable("ui/ledger_page.py not landed")
    import statistics

    from PySide6.QtWidgets import QApplication

    from township_desk.ui.app import make_application, open_context
    from township_desk.ui.ledger_page import LedgerPage

    make_application()
    page = LedgerPage(open_context(work / "township.db"))
    page.resize(1280, 800)
    page.show()
    QApplication.processEvents()
    times = []
    for text in ("z", "zh", "zha", "w", "wa", "li", "l", "5111", "511181195", "chen") * 2:
        page.search.setText("")
        page.requery()
        QApplication.processEvents()
        start = time.perf_counter()
        page.search.setText(text)
        page.requery()
        QApplication.processEvents()  # the count and the first rows are on screen after this pass
        times.append(time.perf_counter() - start)
    return {"seconds": statistics.median(times),
            "note": f"median of {len(times)}; slowest {max(times) * 1000:.0f} ms"}


def part_overdue(work: Path, elders: int) -> dict:
    if not _has("township_desk.models.schedule"):
        raise NotAvailable("models/schedule.py not landed")
    from township_desk.models import db as dbm
    from township_desk.models import schedule

    db = dbm.connect(work / "township.db")
    start = time.perf_counter()
    rows = schedule.overdue(db, AS_OF)
    return {"seconds": time.perf_counter() - start, "note": f"{len(rows)} overdue"}


def part_export(work: Path, elders: int) -> dict:
    from township_desk.models import db as dbm
    from township_desk.printing.monthly_xlsx import export_monthly

    db = dbm.connect(work / "township.db")
    # The demo leaves a few elders without a visitor on purpose, and the export rightly refuses while column 14
    # is short of column 1: assign them first, as the clerk would (not timed).
    with db.atomic():
        db.execute("""UPDATE elders SET visitor_id = COALESCE(
                          (SELECT MIN(vi.id) FROM visitors vi WHERE vi.village_id = elders.village_id),
                          (SELECT MIN(id) FROM visitors))
                      WHERE visitor_id IS NULL""")
    start = time.perf_counter()
    result = export_monthly(db, MONTH, work / "月报.xlsx")
    return {"seconds": time.perf_counter() - start, "note": f"{result.detail_rows} 明细 rows"}


def _workbook(work: Path, elders: int) -> Path:
    path = work / f"ledger_{elders}.xlsx"
    if not path.exists():
        import bench_import

        bench_import.build(path, elders)
    return path


def part_workbook_floor(work: Path, elders: int) -> dict:
    import openpyxl

    path = _workbook(work, elders)
    start = time.perf_counter()
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            cells += len(row)
    wb.close()
    return {"seconds": time.perf_counter() - start, "note": f"{cells} cells"}


def part_import(work: Path, elders: int) -> dict:
    from township_desk.models import db as dbm
    from township_desk.models import ledger_import

    path = _workbook(work, elders)
    db = dbm.connect(work / "import.db")
    start = time.perf_counter()
    result = ledger_import.import_ledger(db, path)
    return {"seconds": time.perf_counter() - start,
            "note": f"imported {result.imported}, skipped {result.skipped}"}


def part_print300(work: Path, elders: int) -> dict:
    from township_desk.models import db as dbm
    from township_desk.printing.agreement_doc import print_agreements

    db = dbm.connect(work / "township.db")
    ids = [r[0] for r in db.execute("SELECT id FROM agreements ORDER BY id LIMIT 300")]
    if not ids:
        raise NotAvailable("no agreements in the demo township")
    start = time.perf_counter()
    print_agreements(db, ids, work / "协议.docx")
    return {"seconds": time.perf_counter() - start, "note": f"{len(ids)} agreements in one .docx"}


def part_backup(work: Path, elders: int) -> dict:
    """A compressed automatic backup of the township, timed, against the database's size; then the backup folder
    after a year of use (a daily and a closing backup every weekday), thinned by ``backups_to_keep`` and
    ``within_budget`` with copies of the measured size."""
    from township_desk.models import backups
    from township_desk.models import db as dbm

    path = work / "township.db"
    db = dbm.connect(path)
    target = work / "backup.zip"
    start = time.perf_counter()
    backups.backup(db, target, kind="daily")
    seconds = time.perf_counter() - start
    database = path.stat().st_size
    size = target.stat().st_size
    db.close()
    kept: dict[dt.datetime, int] = {}
    day = dt.datetime(2026, 1, 1)
    for _ in range(365):
        if day.weekday() < 5:
            for hour in (8, 17):
                now = day.replace(hour=hour)
                kept[now] = size
                times = backups.backups_to_keep(kept, now)
                kept = {t: size for t in backups.within_budget({t: size for t in times}, now,
                                                               backups.budget(database))}
        day += dt.timedelta(days=1)
    folder = sum(kept.values())
    return {"seconds": seconds, "backup_mb": size / 2**20, "database_mb": database / 2**20,
            "folder_ratio": folder / database,
            "note": f"backup {size / 2**20:.0f} MB of a {database / 2**20:.0f} MB database "
                    f"({size / database:.0%}); after a year {len(kept)} copies, {folder / 2**20:.0f} MB = "
                    f"{folder / database:.1f}× the database; oldest {min(kept):%Y-%m-%d}"}


PARTS = {
    "demo": part_demo, "full_read": part_full_read, "bare_window": part_bare_window, "window": part_window,
    "keystroke": part_keystroke, "overdue": part_overdue, "export": part_export,
    "workbook_floor": part_workbook_floor, "import": part_import, "print300": part_print300,
    "backup": part_backup,
}
PROCESS_START = time.time()


def child(name: str, work: Path, elders: int) -> None:
    try:
        result = PARTS[name](work, elders)
        result["available"] = True
    except NotAvailable as exc:
        result = {"available": False, "note": str(exc)}
    result["peak_mb"] = _peak_mb()
    sys.stdout.write("\nRESULT " + json.dumps(result, ensure_ascii=False) + "\n")


# ------------------------------------------------------------------------------------------ the table (parent)

def run_part(name: str, work: Path, elders: int) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "TOWNSHIP_DESK_HOME": str(work / "home")}
    proc = subprocess.run([sys.executable, __file__, "--part", name, "--work", str(work), "--elders", str(elders)],
                          capture_output=True, text=True, env=env)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = " | ".join(proc.stderr.strip().splitlines()[-3:])
    return {"available": False, "note": f"failed (exit {proc.returncode}): {tail[-300:]}",
            "peak_mb": None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=30000)
    parser.add_argument("--part", choices=sorted(PARTS))
    parser.add_argument("--work")
    parser.add_argument("--keep", help="folder to keep the generated files in")
    args = parser.parse_args()
    if args.part:
        child(args.part, Path(args.work), args.elders)
        return

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="township_bench_"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "home").mkdir(exist_ok=True)
    results = {}
    for name in ("demo", "full_read", "bare_window", "window", "keystroke", "overdue", "export",
                 "workbook_floor", "import", "print300", "backup"):
        started = time.perf_counter()
        results[name] = run_part(name, work, args.elders)
        print(f"  {name}: {time.perf_counter() - started:.1f} s wall", file=sys.stderr, flush=True)

    def sec(name):
        r = results[name]
        return r.get("seconds") if r.get("available") else None

    # (label, part, floor part or None, target ratio or absolute target text)
    rows = [
        ("demo generation", "demo", None, None, ""),
        ("window start → ledger first paint", "window", "bare_window", 2.0, "≤ 2× bare window"),
        ("one search keystroke", "keystroke", None, None, "≤ 50 ms"),
        ("overdue list", "overdue", "full_read", 1.0, "≤ 1× full read"),
        ("monthly export", "export", "full_read", 3.0, "≤ 3× full read"),
        (f"import {args.elders}-row workbook", "import", "workbook_floor", 1.5, "≤ 1.5× read-only read"),
        ("print 300 documents (one batch)", "print300", None, None, ""),
        ("compressed backup; folder after a year", "backup", None, None, "folder < 3× database"),
        ("window peak memory", "window", None, None, "≤ 400 MB"),
    ]
    print(f"\nTownship Desk benchmark — {args.elders} elders, {dt.datetime.now():%Y-%m-%d %H:%M}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    print("floors: bare window {} s; full read {} s; workbook read-only read {} s".format(
        *(f"{sec(n):.3f}" if sec(n) is not None else "n/a" for n in ("bare_window", "full_read", "workbook_floor"))))
    head = f"{'part':36} {'time':>10} {'floor':>10} {'ratio':>7} {'peak MB':>8}  {'target':24} result / note"
    print(head)
    print("-" * len(head))
    for label, part, floor, limit, target in rows:
        r = results[part]
        if label == "window peak memory":
            if r.get("available"):
                ok = r["peak_mb"] <= 400
                print(f"{label:36} {'':>10} {'':>10} {'':>7} {r['peak_mb']:8.0f}  {target:24} {'ok' if ok else 'MISSED'}")
            else:
                print(f"{label:36} {'not available':>10} {'':>10} {'':>7} {'':>8}  {target:24} {r['note']}")
            continue
        if not r.get("available"):
            state = "FAILED" if r["note"].startswith("failed") else "not available"
            print(f"{label:36} {state:>10} {'':>10} {'':>7} {'':>8}  {target:24} {r['note']}")
            continue
        t = r["seconds"]
        f = sec(floor) if floor else None
        ratio = t / f if f else None
        verdict = ""
        if limit and ratio is not None:
            verdict = "ok" if ratio <= limit else "MISSED"
        elif part == "keystroke":
            verdict = "ok" if t <= 0.05 else "MISSED"
        elif part == "backup":
            verdict = "ok" if r["folder_ratio"] < 3 else "MISSED"
        print(f"{label:36} {t:9.3f}s {(f'{f:.3f}s' if f else ''):>10} {(f'{ratio:.1f}×' if ratio else ''):>7} "
              f"{r['peak_mb']:8.0f}  {target:24} {verdict} {r.get('note', '')}")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
