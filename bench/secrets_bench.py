"""Benchmark: ``opskit audit --only secrets`` against detect-secrets on the same real tree, in one run.

The corpus is third-party code no one here wrote: the packages of this virtualenv's
site-packages, copied (text files only, in name order, packages up to 12 MB each) until about
40 MB, into a temporary directory outside git so both tools see exactly the same files. Then,
on that directory:

* opskit, no cache, all cores (``opskit audit --only secrets --no-cache``), best of 5 runs;
* detect-secrets (``detect-secrets scan --all-files``);
* opskit again with a warm result cache.

Each run's peak memory is the summed RSS of its whole process tree, sampled every 20 ms; CPU
time is that of the whole tree, which other jobs on a shared machine do not inflate.
Prints a table (seconds, CPU seconds, MB/s, peak MiB, findings) and both ratios, and writes
``bench/results/secrets_bench.json``. Run: ``.venv/bin/python bench/secrets_bench.py [--mb 40]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from opskit.core.atomic import atomic_write

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SITE_PACKAGES = Path(next(p for p in sys.path if p.endswith("site-packages")))
RESULTS = ROOT / "bench" / "results" / "secrets_bench.json"
BINARY_SUFFIXES = (".so", ".pyc", ".pyd", ".dll", ".dylib", ".a", ".o", ".png", ".gif", ".jpg", ".ico", ".whl",
                   ".gz", ".zip", ".woff", ".woff2", ".ttf", ".mo", ".db", ".bin")


@dataclass
class Row:
    tool: str
    seconds: float
    cpu_seconds: float  # user + system time of the whole process tree (load on a shared box adds none)
    mb_per_second: float
    peak_rss_mib: float
    findings: int


def build_corpus(target: Path, limit: int) -> tuple[int, int]:
    """Copy whole packages until ``limit`` bytes of text; returns (files, bytes)."""
    files = size = 0
    for package in sorted(SITE_PACKAGES.iterdir()):
        if not package.is_dir() or package.name.startswith(("_", ".")) or package.name.endswith(".libs"):
            continue
        texts = [p for p in package.rglob("*") if p.is_file() and not p.name.endswith(BINARY_SUFFIXES)
                 and "__pycache__" not in p.parts]
        bytes_here = sum(p.stat().st_size for p in texts)
        if bytes_here > 12_000_000 or size + bytes_here > limit:
            continue
        for source in texts:
            dest = target / source.relative_to(SITE_PACKAGES)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        files += len(texts)
        size += bytes_here
    return files, size


def _tree_rss(root: int) -> int:
    """Summed resident memory (bytes) of ``root`` and all its descendants, from /proc."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(entry)] = int(fields[1])
        rss[int(entry)] = int(fields[21]) * page
    tree, frontier = {root}, [root]
    while frontier:
        current = frontier.pop()
        children = [pid for pid, parent in parents.items() if parent == current and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


def timed(command: list[str], cwd: Path) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak process-tree RSS in MiB, and stdout of ``command``."""
    peak = 0
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL, cwd=cwd)
        done = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, _tree_rss(process.pid))
                done.wait(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)  # usage includes the workers it reaped
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        out.seek(0)
        return elapsed, usage.ru_utime + usage.ru_stime, peak / 2**20, out.read().decode("utf-8", "replace")


def run_opskit(corpus: Path, size: int, cache: Path | None, label: str, repeat: int = 1) -> Row:
    """The best of ``repeat`` runs, as timeit does: on a shared box, slower runs measure the neighbours."""
    cache_args = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    runs = sorted(timed([str(BIN / "opskit"), "audit", "--only", "secrets", "--format", "json", "-q",
                         *cache_args, str(corpus)], cwd=corpus) for _ in range(repeat))
    seconds, cpu, _, output = runs[0]
    return Row(label, seconds, cpu, size / 1e6 / seconds, max(r[2] for r in runs), len(json.loads(output)["findings"]))


def run_detect_secrets(corpus: Path, size: int) -> Row:
    seconds, cpu, rss, output = timed([str(BIN / "detect-secrets"), "scan", "--all-files", "."], cwd=corpus)
    findings = sum(len(items) for items in json.loads(output)["results"].values())
    return Row("detect-secrets", seconds, cpu, size / 1e6 / seconds, rss, findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=40, help="corpus size in MB (default 40)")
    args = parser.parse_args()
    if not (BIN / "detect-secrets").exists():
        print("detect-secrets not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="opskit-secrets-bench-"))
    try:
        corpus = work / "site-packages"
        files, size = build_corpus(corpus, int(args.mb * 1e6))
        cache = work / "cache"
        rows = [
            run_opskit(corpus, size, None, "opskit", repeat=5),
            run_detect_secrets(corpus, size),
            run_opskit(corpus, size, cache, "opskit (cache fill)"),
            run_opskit(corpus, size, cache, "opskit (warm cache)"),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratio = rows[0].mb_per_second / rows[1].mb_per_second
    cpu_ratio = rows[1].cpu_seconds / rows[0].cpu_seconds
    load = os.getloadavg()[0]
    print(f"corpus: {files} files, {size / 1e6:.1f} MB of {SITE_PACKAGES} on {os.cpu_count()} cores, load {load:.1f}")
    print(f"{'tool':<22}{'seconds':>10}{'cpu s':>10}{'MB/s':>10}{'peak MiB':>10}{'findings':>10}")
    for row in rows:
        print(f"{row.tool:<22}{row.seconds:>10.2f}{row.cpu_seconds:>10.2f}{row.mb_per_second:>10.2f}"
              f"{row.peak_rss_mib:>10.0f}{row.findings:>10}")
    print(f"throughput ratio opskit / detect-secrets: {ratio:.1f}x (CPU time ratio {cpu_ratio:.1f}x)")
    atomic_write(RESULTS, json.dumps({"cpus": os.cpu_count(), "load_average": load,
                                      "corpus": {"files": files, "bytes": size}, "rows": [asdict(r) for r in rows],
                                      "ratio": ratio, "cpu_ratio": cpu_ratio}, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
