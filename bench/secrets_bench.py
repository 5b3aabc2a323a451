"""Benchmark: opskit's secrets scanner against detect-secrets and credsweeper, accuracy and speed, in one run.

Accuracy, on seven labelled corpora written to a temporary directory and scanned by each tool:
the generated one of ``secrets_corpus.py`` (credentials from providers' documented formats and
the generic shapes real code holds, in many file types, and negatives that scanners wrongly
flag; written with the rules, so an upper bound) and six held-out ones in
``bench/corpus/secrets-heldout*`` (whole files in other projects' styles, labelled line by line,
each written before the rule changes it showed). A
positive counts as found when the tool reports a finding on the secret's line(s); a negative is
a false alarm when the tool reports anything on its lines (a generated negative: anywhere in its
file). Reported per tool: recall, false alarms (share of negatives), precision and F1, and for
opskit the shapes it misses.

Speed: the packages of this virtualenv's site-packages (third-party code no one here wrote) are
copied, text files only, to about ``--mb`` MB; each tool scans that same tree (opskit best of 3,
no cache). Peak memory is the summed RSS of the process tree; CPU time is the tree's, which other
jobs on a shared machine do not inflate. Nothing printed or saved holds a secret: only counts.

Run: ``.venv/bin/python bench/secrets_bench.py [--mb 10] [--no-credsweeper] [--no-speed]``; writes
``bench/results/secrets_bench.json``.
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
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from secrets_corpus import Sample, build, write  # noqa: E402
from secrets_heldout import HELDOUT, HELDOUT_2, HELDOUT_3, HELDOUT_4, HELDOUT_5, HELDOUT_6, load_heldout  # noqa: E402

from opskit.core.atomic import atomic_write  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SITE_PACKAGES = Path(next(p for p in sys.path if p.endswith("site-packages")))
RESULTS = ROOT / "bench" / "results" / "secrets_bench.json"
BINARY_SUFFIXES = (".so", ".pyc", ".pyd", ".dll", ".dylib", ".a", ".o", ".png", ".gif", ".jpg", ".ico", ".whl",
                   ".gz", ".zip", ".woff", ".woff2", ".ttf", ".mo", ".db", ".bin", ".onnx", ".npz", ".pkl")
Hits = set[tuple[str, int]]  # (path relative to the scanned root, 1-based line)


@dataclass
class Accuracy:
    tool: str
    positives: int
    found: int
    negatives: int
    false_alarms: int
    recall: float
    false_alarm_rate: float
    precision: float
    f1: float


@dataclass
class Speed:
    tool: str
    seconds: float
    cpu_seconds: float  # user + system of the whole process tree
    mb_per_second: float
    peak_rss_mib: float
    findings: int


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
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        out.seek(0)
        return elapsed, usage.ru_utime + usage.ru_stime, peak / 2**20, out.read().decode("utf-8", "replace")


def _relative(path: str, root: Path) -> str:
    path = path.removeprefix(str(root)).lstrip("/")
    return path.removeprefix("./")


def run_opskit(root: Path) -> tuple[Hits, tuple[float, float, float]]:
    seconds, cpu, rss, output = timed([str(BIN / "opskit"), "audit", "--only", "secrets", "--format", "json", "-q",
                                       "--no-cache", str(root)], cwd=root)
    findings = json.loads(output)["findings"]
    hits = {(_relative(f["location"]["path"], root), f["location"]["line"] or 0) for f in findings}
    return hits, (seconds, cpu, rss)


def run_detect_secrets(root: Path) -> tuple[Hits, tuple[float, float, float]]:
    seconds, cpu, rss, output = timed([str(BIN / "detect-secrets"), "scan", "--all-files", "."], cwd=root)
    hits = {(_relative(path, root), item["line_number"]) for path, items in json.loads(output)["results"].items()
            for item in items}
    return hits, (seconds, cpu, rss)


def run_credsweeper(root: Path) -> tuple[Hits, tuple[float, float, float]]:
    with tempfile.TemporaryDirectory() as scratch:  # its report holds the values: deleted right after
        report = Path(scratch) / "report.json"
        seconds, cpu, rss, _ = timed([str(BIN / "credsweeper"), "--path", ".", "--save-json", str(report),
                                      "--log", "silence"], cwd=root)
        items = json.loads(report.read_text()) if report.exists() else []
    hits = {(_relative(line["path"], root), line["line_num"]) for item in items for line in item["line_data_list"]}
    return hits, (seconds, cpu, rss)


TOOLS: dict[str, Callable[[Path], tuple[Hits, tuple[float, float, float]]]] = {
    "opskit": run_opskit, "detect-secrets": run_detect_secrets, "credsweeper": run_credsweeper,
}


def score(tool: str, samples: list[Sample], hits: Hits) -> tuple[Accuracy, Counter[str]]:
    by_file: dict[str, set[int]] = {}
    for path, line in hits:
        by_file.setdefault(path, set()).add(line)
    positives = [s for s in samples if s.positive]
    negatives = [s for s in samples if not s.positive]

    def hit(sample: Sample) -> bool:
        first, last = sample.lines or (1, sys.maxsize)
        return any(first <= line <= last for line in by_file.get(sample.path, ()))

    missed = Counter(s.shape for s in positives if not hit(s))
    found = len(positives) - sum(missed.values())
    alarms = Counter(s.shape for s in negatives if hit(s))
    false_alarms = sum(alarms.values())
    recall = found / len(positives)
    precision = found / (found + false_alarms) if found + false_alarms else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = Accuracy(tool, len(positives), found, len(negatives), false_alarms, recall,
                        false_alarms / len(negatives), precision, f1)
    return accuracy, missed + Counter({f"false alarm: {shape}": n for shape, n in alarms.items()})


def build_tree(target: Path, limit: int) -> tuple[int, int]:
    """Copy whole packages of site-packages until ``limit`` bytes of text; returns (files, bytes)."""
    files = size = 0
    for package in sorted(SITE_PACKAGES.iterdir()):
        if not package.is_dir() or package.name.startswith(("_", ".")) or package.name.endswith(".libs"):
            continue
        texts = [p for p in package.rglob("*") if p.is_file() and not p.name.endswith(BINARY_SUFFIXES)
                 and "__pycache__" not in p.parts]
        bytes_here = sum(p.stat().st_size for p in texts)
        if bytes_here > 8_000_000 or size + bytes_here > limit:
            continue
        for source in texts:
            dest = target / source.relative_to(SITE_PACKAGES)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, dest)
        files += len(texts)
        size += bytes_here
    return files, size


def measure(samples: list[Sample], tools: list[str], root: Path) -> tuple[list[Accuracy], dict[str, dict[str, int]]]:
    """Every tool's accuracy on ``samples`` written under ``root``, and the shapes each misses."""
    write(samples, root)
    accuracy, misses = [], {}
    for tool in tools:
        hits, _ = TOOLS[tool](root)
        result, missed = score(tool, samples, hits)
        accuracy.append(result)
        misses[tool] = dict(sorted(missed.items()))
    return accuracy, misses


def report(title: str, samples: list[Sample], accuracy: list[Accuracy], misses: dict[str, dict[str, int]]) -> dict:
    """Prints one corpus's table; returns its part of the results file."""
    positives = [s for s in samples if s.positive]
    print(f"{title}: {len({s.path for s in samples})} files, {len(positives)} positives in"
          f" {len({s.shape for s in positives})} shapes, {len(samples) - len(positives)} negatives")
    print(f"{'tool':<16}{'recall':>8}{'false alarms':>14}{'precision':>11}{'F1':>7}")
    for row in accuracy:
        print(f"{row.tool:<16}{row.recall:>8.3f}{row.false_alarm_rate:>14.3f}{row.precision:>11.3f}{row.f1:>7.3f}")
    print(f"opskit misses: {misses['opskit'] or 'none'}\n")
    return {"samples": len(samples), "shapes": dict(sorted(Counter(s.shape for s in samples).items())),
            "accuracy": [asdict(a) for a in accuracy], "misses": misses}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10, help="speed tree size in MB (default 10)")
    parser.add_argument("--no-credsweeper", action="store_true", help="leave credsweeper out (it is slow)")
    parser.add_argument("--no-speed", action="store_true", help="accuracy only (keeps the saved speed figures)")
    args = parser.parse_args()
    tools = [t for t in TOOLS if (BIN / t).exists() and not (t == "credsweeper" and args.no_credsweeper)]
    if "detect-secrets" not in tools:
        print("detect-secrets not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    corpora = {"labelled": ("generated corpus", build()),
               "heldout": ("held-out corpus 1 (drove the first fixes)", load_heldout(HELDOUT)),
               "heldout2": ("held-out corpus 2 (drove the second fixes)", load_heldout(HELDOUT_2)),
               "heldout3": ("held-out corpus 3 (drove the third fixes)", load_heldout(HELDOUT_3)),
               "heldout4": ("held-out corpus 4 (not tuned to)", load_heldout(HELDOUT_4)),
               "heldout5": ("held-out corpus 5 (drove the fifth fixes)", load_heldout(HELDOUT_5)),
               "heldout6": ("held-out corpus 6 (drove the sixth fixes)", load_heldout(HELDOUT_6))}
    work = Path(tempfile.mkdtemp(prefix="opskit-secrets-bench-"))
    results = json.loads(RESULTS.read_text()) if args.no_speed and RESULTS.exists() else {}
    try:
        for key, (title, samples) in corpora.items():
            accuracy, misses = measure(samples, tools, work / key)
            results[key] = report(title, samples, accuracy, misses)
        if not args.no_speed:
            results.update(speed(tools, work / "site-packages", args.mb))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    atomic_write(RESULTS, json.dumps(results, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


def speed(tools: list[str], tree: Path, mb: float) -> dict:
    """Every tool on the same copy of site-packages; prints the table, returns the results' speed part."""
    files, size = build_tree(tree, int(mb * 1e6))
    rows: list[Speed] = []
    for tool in tools:
        runs = [TOOLS[tool](tree) for _ in range(3 if tool == "opskit" else 1)]
        hits, (seconds, cpu, rss) = min(runs, key=lambda run: run[1][0])
        rows.append(Speed(tool, seconds, cpu, size / 1e6 / seconds, rss, len(hits)))
    load = os.getloadavg()[0]
    print(f"speed tree: {files} files, {size / 1e6:.1f} MB of {SITE_PACKAGES} on {os.cpu_count()} cores,"
          f" load {load:.1f}")
    print(f"{'tool':<16}{'seconds':>10}{'cpu s':>10}{'MB/s':>10}{'peak MiB':>10}{'findings':>10}")
    for row in rows:
        print(f"{row.tool:<16}{row.seconds:>10.2f}{row.cpu_seconds:>10.2f}{row.mb_per_second:>10.2f}"
              f"{row.peak_rss_mib:>10.0f}{row.findings:>10}")
    ratios = {row.tool: rows[0].mb_per_second / row.mb_per_second for row in rows[1:]}
    cpu_ratios = {row.tool: row.cpu_seconds / rows[0].cpu_seconds for row in rows[1:]}
    for tool, ratio in ratios.items():
        print(f"throughput ratio opskit / {tool}: {ratio:.1f}x (CPU time ratio {cpu_ratios[tool]:.1f}x)")
    return {"cpus": os.cpu_count(), "load_average": load, "speed_tree": {"files": files, "bytes": size},
            "speed": [asdict(s) for s in rows], "ratios": ratios, "cpu_ratios": cpu_ratios}


if __name__ == "__main__":
    sys.exit(main())
