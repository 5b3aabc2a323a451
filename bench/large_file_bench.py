"""Benchmark: one large file, scanned for secrets in bounded memory, side by side with detect-secrets.

Two inputs of ``--mb`` MB each, with one GitHub token near the end: many short lines, and one
single line. opskit reads files over 1 MiB in overlapping windows, so its peak memory should not
grow with the file; detect-secrets reads line by line. Reported per tool and input: wall and CPU
time, peak RSS (GNU time's maximum resident set size) and whether the token was found; ratios
opskit/peer. Nothing printed or saved holds the token.

Run: ``.venv/bin/python bench/large_file_bench.py [--mb 5]``; writes ``bench/results/large_file_bench.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opskit.core.atomic import atomic_write

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "large_file_bench.json"
TOKEN = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vX7zA9cE1gI3kM5"  # a made-up token of GitHub's shape


def write_inputs(folder: Path, mb: int) -> dict[str, Path]:
    size = mb * 1_000_000
    lines, single = folder / "lines" / "dump.txt", folder / "single" / "dump.txt"
    for path in (lines, single):
        path.parent.mkdir()
    row = b"0123456789 abcdefghij " * 4 + b"\n"
    with lines.open("wb") as handle:
        for _ in range(size // len(row)):
            handle.write(row)
        handle.write(f"GITHUB_TOKEN={TOKEN}\n".encode())
    with single.open("wb") as handle:
        chunk = b"x" * 1_000_000
        for _ in range(mb):
            handle.write(chunk)
        handle.write(f" token={TOKEN}\n".encode())
    return {"lines": lines, "single-line": single}


def measure(command: list[str], found: Callable[[str], bool], cwd: Path) -> dict[str, Any]:
    started = time.monotonic()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command], capture_output=True, text=True, check=False,
                          cwd=cwd)
    wall = time.monotonic() - started
    rss_kib, user, system = proc.stderr.strip().splitlines()[-1].split()
    return {"wall_s": round(wall, 2), "cpu_s": round(float(user) + float(system), 2),
            "peak_mib": round(int(rss_kib) / 1024, 1), "found": bool(found(proc.stdout))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="opskit-large-file-") as tmp:
        for name, path in write_inputs(Path(tmp), args.mb).items():
            opskit = measure([str(BIN / "opskit"), "audit", str(path.parent), "--only", "secrets", "--no-cache",
                              "--max-file-size", str(path.stat().st_size + 1), "--format", "json", "-q"],
                             lambda out: any(f["rule_id"] == "github-pat" for f in json.loads(out)["findings"]), ROOT)
            # detect-secrets skips files git does not track when run inside a repository: run it beside the file
            peer = measure([str(BIN / "detect-secrets"), "scan", path.name],
                           lambda out: any(json.loads(out)["results"].values()), path.parent)
            rows.append({"input": name, "mb": args.mb, "opskit": opskit, "detect-secrets": peer,
                         "peak_ratio": round(opskit["peak_mib"] / peer["peak_mib"], 2),
                         "cpu_ratio": round(opskit["cpu_s"] / max(peer["cpu_s"], 0.01), 2)})
            print(json.dumps(rows[-1]), flush=True)
    atomic_write(RESULTS, json.dumps({"benchmark": "large_file", "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
