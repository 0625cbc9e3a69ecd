"""Encrypted vs plain at 30,000 elders, in the same run on the same data (issue 17; target ≤ 1.3× plain each).

    .venv/bin/python bench/bench_cipher.py [--elders 30000] [--rounds 3] [--keep DIR]

Builds the demo township once (``bench/run.py``'s ``demo`` part), copies it, and encrypts the copy with a password
(``models.protection.set_password``, the real re-key). Then each of ``bench/run.py``'s parts — overdue list,
monthly export, window start (process start → first paint of the 台账 page) and one search keystroke — runs in
its own child process on the plain and on the encrypted copy, alternating, ``--rounds`` times; the median of
each is shown with the ratio. The encrypted child unlocks the ledger with its password first (scrypt, the wrong-
password cost) inside the timed span of the window start, as the clerk's password dialog would.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "bench-密码-1234"
PARTS = [("overdue", "overdue list"), ("export", "monthly export"), ("window", "window start → 台账 first paint"),
         ("keystroke", "one search keystroke")]


def child(name: str, work: Path, elders: int) -> None:
    import run  # bench/run.py: its PROCESS_START is this process's start

    secret = os.environ.get("BENCH_CIPHER_PASSWORD")
    unlocking = 0.0
    if secret:
        from township_desk.models import cipher

        started = time.perf_counter()
        cipher.unlock(work / "township.db", secret)
        unlocking = time.perf_counter() - started
    result = run.PARTS[name](work, elders)
    result["unlock"] = unlocking
    result["peak_mb"] = run._peak_mb()
    sys.stdout.write("\nRESULT " + json.dumps(result, ensure_ascii=False) + "\n")


def run_child(name: str, work: Path, elders: int, secret: str | None) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": os.environ.get("QT_QPA_PLATFORM", "offscreen"),
           "TOWNSHIP_DESK_HOME": str(work / "home")}
    env.pop("BENCH_CIPHER_PASSWORD", None)
    if secret:
        env["BENCH_CIPHER_PASSWORD"] = secret
    proc = subprocess.run([sys.executable, __file__, "--part", name, "--work", str(work), "--elders", str(elders)],
                          capture_output=True, text=True, env=env)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise SystemExit(f"{name} failed (exit {proc.returncode}): {proc.stderr[-500:]}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--elders", type=int, default=30000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--part")
    parser.add_argument("--work")
    parser.add_argument("--keep")
    args = parser.parse_args()
    if args.part:
        child(args.part, Path(args.work), args.elders)
        return
    import run

    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="township_cipher_bench_"))
    plain, secret = base / "plain", base / "encrypted"
    for folder in (plain, secret):
        (folder / "home").mkdir(parents=True, exist_ok=True)
    if not (plain / "township.db").exists():
        started = time.perf_counter()
        result = run.run_part("demo", plain, args.elders)
        print(f"demo township: {result.get('note')} ({time.perf_counter() - started:.0f} s)")
    if not (secret / "township.db").exists():
        shutil.copyfile(plain / "township.db", secret / "township.db")
        from township_desk.models import protection

        os.environ["TOWNSHIP_DESK_HOME"] = str(secret / "home")
        started = time.perf_counter()
        protection.set_password(secret / "township.db", PASSWORD)
        size = (secret / "township.db").stat().st_size / 2**20
        print(f"encrypting the copy (set_password: export, verify, swap): {time.perf_counter() - started:.1f} s, "
              f"{size:.0f} MB")
    times: dict[tuple[str, str], list[float]] = {}
    notes: dict[str, str] = {}
    for _round in range(args.rounds):
        for name, _label in PARTS:
            for kind, folder, password in (("plain", plain, None), ("encrypted", secret, PASSWORD)):
                result = run_child(name, folder, args.elders, password)
                times.setdefault((name, kind), []).append(result["seconds"])
                if name == "window":  # the same start without the password's key derivation (scrypt)
                    times.setdefault(("window_key", kind), []).append(result["seconds"] - result["unlock"])
                    times.setdefault(("unlock", kind), []).append(result["unlock"] or 1e-9)
                notes[name] = result.get("note", "")
    print(f"\n{args.elders} elders, median of {args.rounds} rounds (plain and encrypted alternating)\n")
    print("| part | plain | encrypted | ratio | target |")
    print("|---|---|---|---|---|")
    rows = [*PARTS[:3], ("window_key", "  the same, less the password's key derivation"), PARTS[3]]
    for name, label in rows:
        a, b = statistics.median(times[(name, "plain")]), statistics.median(times[(name, "encrypted")])
        unit = (lambda s: f"{s * 1000:.1f} ms") if name == "keystroke" else (lambda s: f"{s:.2f} s")
        print(f"| {label} | {unit(a)} | {unit(b)} | {b / a:.2f}× | ≤ 1.3× |")
    print(f"  unlocking with the password (scrypt + opening the file): "
          f"{statistics.median(times[('unlock', 'encrypted')]):.2f} s (median)")
    for name, _label in PARTS:
        print(f"  {name}: {notes[name]}; all runs plain {[round(x, 3) for x in times[(name, 'plain')]]}, "
              f"encrypted {[round(x, 3) for x in times[(name, 'encrypted')]]}")
    print(f"\nfiles kept in {base}" if args.keep else "")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
