"""Benchmark: ``opskit monitor lint`` against ``promtool check rules`` on the same rule files.

A labelled corpus (bench/monitor_lint_corpus.py: --rules rules, seeded, varied phrasings, clean
look-alikes, syntax errors in files of their own) is linted offline by both tools, in one run:
  recall     per check, the share of labelled defects each tool reports (promtool reports syntax
             errors, per file, and duplicate rules; nothing else)
  false      findings on rules not labelled with that check
  speed      median of --repeat runs: opskit as a fresh process and in-process, promtool as one
             process over all files
Then, unless --no-live, the first --live-rules rules are linted with --url against the test
Prometheus (read-only queries), one request at a time and with --jobs in parallel.

    .venv/bin/python bench/monitor_lint_bench.py [--rules 1000] [--repeat 3] [--live-rules 200]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from monitor_lint_corpus import write_corpus  # noqa: E402

from opskit.core.atomic import atomic_write  # noqa: E402
from opskit.monitor.client import connect  # noqa: E402
from opskit.monitor.lint.api import LintRequest, lint  # noqa: E402
from tests import harness  # noqa: E402

Labels = dict[tuple[str, str], set[str]]


def timed(func: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss(cmd: list[str]) -> int:
    """Peak resident memory (bytes) of one child process. GNU time measures a child forked from
    itself; wait4 on our own child would count this benchmark's memory copied before exec."""
    if shutil.which("time") or Path("/usr/bin/time").exists():
        result = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True, cwd=ROOT)
        return int(result.stderr.strip().splitlines()[-1]) * 1024
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    _pid, _status, usage = os.wait4(proc.pid, 0)
    return int(usage.ru_maxrss) * 1024


def score(labels: Labels, found: dict[tuple[str, str], set[str]]) -> dict[str, dict[str, int]]:
    per: dict[str, Counter[str]] = {}
    for key, expected in labels.items():
        got = found.get(key, set())
        for check in expected:
            per.setdefault(check, Counter())["labelled"] += 1
            per[check]["found"] += check in got
        for check in got - expected:
            per.setdefault(check, Counter())["false"] += 1
    return {check: dict(counts) for check, counts in sorted(per.items())}


def opskit_found(directory: Path) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for finding in lint(LintRequest([directory])).findings:
        key = (finding.location.path, str(finding.properties.get("rule", "")))
        found.setdefault(key, set()).add(finding.rule_id)
    return found


def promtool_found(files: list[Path], labels: Labels) -> tuple[dict[tuple[str, str], set[str]], str]:
    """What promtool reports, credited to every labelled rule of a file it rejects or flags."""
    result = subprocess.run(["promtool", "check", "rules", *map(str, files)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    output = result.stdout
    sections = re.split(r"^Checking ", output, flags=re.MULTILINE)[1:]
    found: dict[tuple[str, str], set[str]] = {}
    for section in sections:
        path = section.splitlines()[0].strip()
        kinds = set()
        if "FAILED" in section:
            kinds.add("promql/syntax")
        if "duplicate rule" in section:
            kinds.add("rules/duplicate")
        for (file, name), expected in labels.items():
            if file == path:
                found[(file, name)] = kinds & expected  # promtool names no rule: credit only what it could mean
    return found, output


def live(directory: Path, rules: int, jobs: int) -> list[dict[str, object]]:
    facts, _ = harness.start("prometheus")
    subset = Path(tempfile.mkdtemp(prefix="opskit-lint-live-"))
    count = 0
    for path in sorted(directory.glob("rules-*.yml")):
        if count >= rules:
            break
        (subset / path.name).write_text(path.read_text())
        count += 50
    rows = []
    for parallel in (1, jobs):
        client = connect(facts["url"])
        start = time.perf_counter()
        report = lint(LintRequest([subset], history=3600.0, jobs=parallel), client)
        rows.append({"jobs": parallel, "rules": report.data["rules"], "requests": report.data["requests"],
                     "seconds": round(time.perf_counter() - start, 3), "findings": len(report.findings)})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rules", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--live-rules", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--no-live", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opskit-lint-bench-") as tmp:
        directory = Path(tmp) / "rules"
        labels = write_corpus(directory, args.rules)
        files = sorted(directory.glob("*.yml"))
        ours = score(labels, opskit_found(directory))
        theirs_found, _ = promtool_found(files, labels)
        theirs = score(labels, theirs_found)
        cli = [sys.executable, "-m", "opskit", "monitor", "lint", str(directory), "--format", "json", "-q"]
        speed = {
            "opskit_process": timed(lambda: subprocess.run(cli, capture_output=True, cwd=ROOT), args.repeat),
            "opskit_api": timed(lambda: lint(LintRequest([directory])), args.repeat),
            "promtool_process": timed(
                lambda: subprocess.run(["promtool", "check", "rules", *map(str, files)], capture_output=True),
                args.repeat,
            ),
        }
        promtool_cmd = ["promtool", "check", "rules", *map(str, files)]
        memory = {"opskit_process": peak_rss(cli), "promtool_process": peak_rss(promtool_cmd)}
        live_rows = [] if args.no_live else live(directory, args.live_rules, args.jobs)
    print(f"{args.rules} rules in {len(files)} files, {sum(len(v) for v in labels.values())} labelled defects")
    print(f"{'check':<26} {'labelled':>8} {'opskit':>7} {'promtool':>9} {'false (opskit/promtool)':>24}")
    for check in sorted(set(ours) | set(theirs)):
        mine, peer = ours.get(check, {}), theirs.get(check, {})
        print(f"{check:<26} {mine.get('labelled', 0):>8} {mine.get('found', 0):>7} {peer.get('found', 0):>9} "
              f"{mine.get('false', 0):>12}/{peer.get('false', 0)}")
    print(f"{'seconds':<26} opskit process {speed['opskit_process']:.3f}, in-process {speed['opskit_api']:.3f}; "
          f"promtool {speed['promtool_process']:.3f}; ratio opskit/promtool "
          f"{speed['opskit_process'] / speed['promtool_process']:.2f}")
    ratio = memory["opskit_process"] / memory["promtool_process"]
    print(f"{'peak RSS MB':<26} opskit {memory['opskit_process'] / 2**20:.1f}; promtool "
          f"{memory['promtool_process'] / 2**20:.1f}; ratio {ratio:.2f}")
    for row in live_rows:
        print(f"live --url, --jobs {row['jobs']:<3} {row['rules']} rules, {row['requests']} requests, "
              f"{row['seconds']} s")
    doc = {
        "benchmark": "monitor lint",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "rules": args.rules,
        "files": len(files),
        "recall_and_false": {"opskit": ours, "promtool": theirs},
        "seconds": {k: round(v, 3) for k, v in speed.items()},
        "ratio_opskit_over_promtool_time": round(speed["opskit_process"] / speed["promtool_process"], 2),
        "peak_rss_bytes": memory,
        "ratio_opskit_over_promtool_memory": round(memory["opskit_process"] / memory["promtool_process"], 2),
        "live": live_rows,
    }
    out = HERE / "results" / "monitor_lint_bench.json"
    atomic_write(out, json.dumps(doc, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
