"""Benchmark: opskit db log reading + fingerprinting, and a full offline run, against pgbadger.

Generates a realistic PostgreSQL stderr log (bench/db_workload.py; --size-mb, default 300) and
runs, on that same file in one go: opskit's reader+fingerprinter on one core and on all cores,
the full ``opskit db suggest-indexes --schema`` run, and pgbadger (installed with apt-get when
missing) on one core and on all cores. Each opskit run is repeated (``--repeat``, default 5, in
turns so that a busy moment hits every run alike) and its median is reported; pgbadger, a minute
a run, runs once. Prints a table and writes bench/results/db_bench.json.

    .venv/bin/python bench/db_bench.py [--size-mb 300] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

from db_workload import generate  # noqa: E402

from opskit.core.atomic import atomic_write  # noqa: E402

PREFIX = "%m [%p] %q%u@%d "
READ_ONLY = (
    "import sys; from opskit.db.logs import read_workload; "
    "q = read_workload([sys.argv[1]], jobs=int(sys.argv[2])).results(); print(len(q))"
)


def measured(cmd: list[str]) -> tuple[float, int]:
    """Wall time and peak RSS (bytes) of one child process, from wait4's rusage."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise SystemExit(
                f"{cmd[0]} failed ({proc.returncode}): {err.read().decode(errors='replace')[-500:]}"
            )
    return elapsed, usage.ru_maxrss * 1024  # Linux reports kB


def pgbadger_cmd(pgbadger: str, jobs: int, out: Path, log: Path) -> list[str]:
    """pgbadger on the same file, told the prefix so it needs no guessing, writing JSON."""
    return [pgbadger, "-q", "-f", "stderr", "-p", PREFIX, "-j", str(jobs), "-x", "json", "-o", str(out), str(log)]


def ensure_pgbadger() -> str:
    found = shutil.which("pgbadger")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "pgbadger"], check=True, stdout=subprocess.DEVNULL)
    found = shutil.which("pgbadger")
    if not found:
        raise SystemExit("pgbadger not available after apt-get install")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=300, help="size of the generated log (default 300)")
    parser.add_argument("--keep", action="store_true", help="keep the generated log")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each opskit command (median)")
    args = parser.parse_args()
    pgbadger = ensure_pgbadger()
    cores = os.cpu_count() or 1
    work = Path(tempfile.mkdtemp(prefix="opskit-db-bench-"))
    log = work / "postgresql.log"
    started = time.perf_counter()
    with open(log, "w") as handle:
        statements = generate(handle.write, args.size_mb << 20)
    size = log.stat().st_size
    mb = size / (1 << 20)
    print(f"generated {mb:.0f} MB, {statements} statements in {time.perf_counter() - started:.1f} s: {log}")
    python = sys.executable
    opskit = [python, "-m", "opskit", "db", "suggest-indexes"]
    runs: list[tuple[str, list[str]]] = [
        ("opskit read+fingerprint, 1 core", [python, "-c", READ_ONLY, str(log), "1"]),
        (f"opskit read+fingerprint, {cores} cores", [python, "-c", READ_ONLY, str(log), str(cores)]),
        (
            f"opskit suggest-indexes offline, {cores} cores",
            [*opskit, str(log), "--schema", str(ROOT / "examples/db/schema.sql"), "--format", "json", "-q"],
        ),
        ("pgbadger, 1 core", pgbadger_cmd(pgbadger, 1, work / "b1.json", log)),
        (f"pgbadger, {cores} cores", pgbadger_cmd(pgbadger, cores, work / "bn.json", log)),
    ]
    timings: dict[str, list[tuple[float, int]]] = {name: [] for name, _ in runs}
    for turn in range(args.repeat):
        for name, cmd in runs:
            if turn == 0 or not name.startswith("pgbadger"):
                timings[name].append(measured(cmd))
    results = []
    for name, _ in runs:
        elapsed = statistics.median(t for t, _ in timings[name])
        rss = max(r for _, r in timings[name])
        results.append(
            {
                "name": name,
                "seconds": round(elapsed, 3),
                "runs": [round(t, 3) for t, _ in timings[name]],
                "mb_per_s": round(mb / elapsed, 1),
                "peak_rss_mb": round(rss / (1 << 20)),
            }
        )
        print(f"  {name:45} {elapsed:8.2f} s  {mb / elapsed:8.1f} MB/s")
    by = {r["name"]: r for r in results}
    ratios = {
        f"opskit read {cores} cores vs 1 core": by["opskit read+fingerprint, 1 core"]["seconds"]
        / by[f"opskit read+fingerprint, {cores} cores"]["seconds"],
        "read 1 core vs pgbadger 1 core": by["pgbadger, 1 core"]["seconds"]
        / by["opskit read+fingerprint, 1 core"]["seconds"],
        f"read {cores} cores vs pgbadger {cores} cores": by[f"pgbadger, {cores} cores"]["seconds"]
        / by[f"opskit read+fingerprint, {cores} cores"]["seconds"],
        f"full offline run vs pgbadger {cores} cores": by[f"pgbadger, {cores} cores"]["seconds"]
        / by[f"opskit suggest-indexes offline, {cores} cores"]["seconds"],
    }
    print()
    print(f"{'run':47} {'seconds':>8} {'MB/s':>9} {'peak RSS MB':>12}")
    for r in results:
        print(f"{r['name']:47} {r['seconds']:8.2f} {r['mb_per_s']:9.1f} {r['peak_rss_mb']:12}")
    print()
    for name, ratio in ratios.items():
        print(f"speed-up, {name}: {ratio:.1f}x")
    report = {
        "benchmark": "db_bench",
        "log_bytes": size,
        "statements": statements,
        "cores": cores,
        "python": platform.python_version(),
        "pgbadger": subprocess.run([pgbadger, "--version"], capture_output=True, text=True).stdout.strip(),
        "runs": results,
        "speedup": {k: round(v, 2) for k, v in ratios.items()},
        "note": "median of the runs listed for opskit, one run of pgbadger; peak RSS of the main "
        "process of each run (wait4), worker processes not included",
    }
    atomic_write(HERE / "results" / "db_bench.json", json.dumps(report, indent=2) + "\n")
    if args.keep:
        print(f"log kept at {log}")
    else:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
