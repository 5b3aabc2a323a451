"""Benchmark: ``opskit audit --only code`` against bandit alone on the same real Python tree, in one run.

The corpus is this virtualenv's site-packages: every ``.py``, ``.js`` and ``.ts`` file (third-party
code no one here wrote), copied into a temporary directory outside git so both tools read exactly
the same files. Then, on that directory:

* bandit alone (``bandit -r -q -f json``): single process, bandit's checks only;
* opskit with an empty result cache, all cores: bandit per batch in worker processes plus opskit's
  own taint analysis and pattern checks (Python and JS/TS), filling the cache;
* opskit again with the warm cache (nothing changed: must take under a tenth of the first run).

Prints a table (seconds, MB/s, files/s, peak MiB of the process tree, findings) with the ratios, and
writes ``bench/results/code_bench.json``. Run: ``.venv/bin/python bench/code_bench.py [--mb N]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from secrets_bench import timed  # the shared process-tree timer: wall and CPU seconds, peak RSS of the tree

from opskit.core.atomic import atomic_write

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SITE_PACKAGES = Path(next(p for p in sys.path if p.endswith("site-packages")))
RESULTS = ROOT / "bench" / "results" / "code_bench.json"
SUFFIXES = (".py", ".js", ".ts")


@dataclass
class Row:
    tool: str
    seconds: float
    cpu_seconds: float
    mb_per_second: float
    files_per_second: float
    peak_rss_mib: float
    findings: int
    detail: dict[str, int]


def build_corpus(target: Path, limit: float) -> tuple[int, int]:
    """Copy source files of site-packages, in name order, up to ``limit`` bytes; returns (files, bytes)."""
    files = size = 0
    for source in sorted(SITE_PACKAGES.rglob("*")):
        if not source.name.endswith(SUFFIXES) or not source.is_file() or "__pycache__" in source.parts:
            continue
        length = source.stat().st_size
        if size + length > limit:
            break
        dest = target / source.relative_to(SITE_PACKAGES)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
        files += 1
        size += length
    return files, size


def run_bandit(corpus: Path, files: int, size: int) -> Row:
    report = corpus.parent / "bandit.json"
    seconds, cpu, rss, _ = timed([str(BIN / "bandit"), "-r", "-q", "-f", "json", "-o", str(report), str(corpus)],
                                 cwd=corpus)
    issues = json.loads(report.read_text())["results"]
    return Row("bandit alone", seconds, cpu, size / 1e6 / seconds, files / seconds, rss, len(issues),
               {"bandit": len(issues)})


def run_opskit(corpus: Path, files: int, size: int, cache: Path, label: str) -> Row:
    seconds, cpu, rss, output = timed([str(BIN / "opskit"), "audit", "--only", "code", "--format", "json", "-q",
                                       "--cache-dir", str(cache), str(corpus)], cwd=corpus)
    findings = json.loads(output)["findings"]
    engines = Counter("bandit" if f["rule_id"].startswith("bandit.") else "opskit rules" for f in findings)
    return Row(label, seconds, cpu, size / 1e6 / seconds, files / seconds, rss, len(findings), dict(engines))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=0, help="limit the corpus to N MB (default: all of it)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="opskit-code-bench-"))
    try:
        corpus = work / "site-packages"
        files, size = build_corpus(corpus, args.mb * 1e6 if args.mb else float("inf"))
        cache = work / "cache"
        rows = [
            run_bandit(corpus, files, size),
            run_opskit(corpus, files, size, cache, "opskit (empty cache)"),
            run_opskit(corpus, files, size, cache, "opskit (warm cache)"),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    bandit, cold, warm = rows
    speedup = bandit.seconds / cold.seconds
    cached = warm.seconds / cold.seconds
    print(f"corpus: {files} files, {size / 1e6:.1f} MB of {SITE_PACKAGES} on {os.cpu_count()} cores")
    print(f"{'tool':<22}{'seconds':>9}{'CPU s':>8}{'MB/s':>7}{'files/s':>9}{'peak MiB':>10}{'findings':>10}"
          "  by engine")
    for row in rows:
        engines = ", ".join(f"{k} {v}" for k, v in sorted(row.detail.items()))
        print(f"{row.tool:<22}{row.seconds:>9.1f}{row.cpu_seconds:>8.1f}{row.mb_per_second:>7.2f}"
              f"{row.files_per_second:>9.0f}"
              f"{row.peak_rss_mib:>10.0f}{row.findings:>10}  {engines}")
    print(f"speed ratio bandit alone / opskit (empty cache): {speedup:.2f}x")
    print(f"warm-cache re-scan / first scan: {cached:.3f} (target < 0.1)")
    atomic_write(RESULTS, json.dumps({"cpus": os.cpu_count(), "corpus": {"files": files, "bytes": size},
                                      "rows": [asdict(r) for r in rows], "speed_ratio": speedup,
                                      "warm_over_cold": cached}, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
