"""Time ``township-desk demo --elders 30000`` (target: the ledger part under 15 s, the whole run well under a minute).

Run: ``.venv/bin/python bench/bench_demo.py [ELDERS] [SEED]``. Writes into a new database in a temp folder
and prints the seconds for the ledger part (generation + bulk insert), the extension steps, the whole run,
and the row counts. The database is kept for other benchmarks when ``--keep PATH`` is given.
"""

from __future__ import annotations

import datetime as dt
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from township_desk.models import db as dbm
    from township_desk.models import demo

    keep = None
    if "--keep" in argv:
        index = argv.index("--keep")
        keep = Path(argv[index + 1])
        argv = argv[:index] + argv[index + 2:]
    elders = int(argv[0]) if argv else 30_000
    seed = int(argv[1]) if len(argv) > 1 else 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.db"
        db = dbm.connect(path)
        started = time.perf_counter()
        summary = demo.generate(db, elders=elders, seed=seed, as_of=dt.date(2026, 11, 22))
        total = time.perf_counter() - started
        db.close()
        print(f"elders={elders} seed={seed}")
        print(f"ledger part (generate + insert): {summary.ledger_seconds:.2f} s")
        print(f"extension steps {summary.steps_run} : "
              f"{total - summary.ledger_seconds:.2f} s")
        print(f"whole run: {total:.2f} s")
        for line in summary.lines():
            print(line)
        print(f"database size: {path.stat().st_size / 1e6:.1f} MB")
        if keep:
            shutil.copyfile(path, keep)
            print(f"kept as {keep}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
