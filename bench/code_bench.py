"""Benchmark: ``opskit audit --only code`` against bandit (and semgrep, where installed) in one run.

Accuracy: the labelled corpus in ``bench/code_corpus`` (Django, FastAPI, Pyramid, a Flask blueprint
with a service module, Lambda handlers, Express with services, Koa, Next.js API routes, browser code;
see its README) and the held-out corpora in ``bench/corpus/code-heldout*`` (written apart from the
rules; ``--mistakes`` lists opskit's misses and false alarms) are scanned by each tool. A ``bad: CWE``
line reported by a tool is a true positive, an ``ok: CWE`` line reported is a false alarm. Recall
and the false-alarm rate are printed side by side.
opskit's hints (bandit injection findings with no tainted flow, severity info) are not alarms: they
are not counted by ``--fail-on``. semgrep runs offline with the local rules in ``bench/semgrep_rules.yaml``
when ``semgrep`` is on PATH (or ``$SEMGREP``); it is not a dependency (its pins conflict with moto's).

Speed: this virtualenv's site-packages (every ``.py``, ``.js`` and ``.ts`` file, third-party code no
one here wrote) is copied outside git and scanned by bandit alone (one process), by opskit with an
empty cache (all cores: bandit per batch plus opskit's taint and pattern rules), and again with the
warm cache (must take under a tenth of the first run).

Writes ``bench/results/code_bench.json``. Run: ``.venv/bin/python bench/code_bench.py [--mb N] [--skip-speed]``
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
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
CORPUS = ROOT / "bench" / "code_corpus"
HELDOUT = ROOT / "bench" / "corpus" / "code-heldout"  # written apart from the rules, after them
HELDOUT2 = ROOT / "bench" / "corpus" / "code-heldout2"  # written after the fixes code-heldout prompted
HELDOUT3 = ROOT / "bench" / "corpus" / "code-heldout3"  # written after all fixes, never fixed against
HELDOUT4 = ROOT / "bench" / "corpus" / "code-heldout4"  # other frameworks and idioms, written after heldout3's fixes
HELDOUT5 = ROOT / "bench" / "corpus" / "code-heldout5"  # inheritance, wrappers, dispatch, crypto; after heldout4
SEMGREP_RULES = ROOT / "bench" / "semgrep_rules.yaml"
SUFFIXES = (".py", ".js", ".ts")
LABEL = re.compile(r"(?:#|//) (bad|ok): (\d+)\s*$")
# With PYTHONPATH at this checkout (the venv's opskit may be another one); run outside the corpus, whose
# copied packages would otherwise shadow opskit's own imports.
OPSKIT = [sys.executable, "-m", "opskit"]


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


@dataclass
class Accuracy:
    tool: str
    language: str
    bad: int
    found: int
    ok: int
    alarms: int

    @property
    def recall(self) -> float:
        return self.found / self.bad if self.bad else 0.0

    @property
    def false_alarm_rate(self) -> float:
        return self.alarms / self.ok if self.ok else 0.0


Place = tuple[str, int]
Report = tuple[str, int, int]  # path, line, CWE (0: the tool gives none)
# CWEs that name one weakness as different tools file it (bandit files eval under 78, semgrep's local
# rules under 74); a report counts on a labelled line when its CWE is in the label's family.
FAMILIES = [{77, 78, 94, 95, 74}, {89, 74}, {22, 23, 73, 74}, {79, 80, 74}, {601, 74}, {502, 74}, {643, 74},
            {943, 74}, {501, 74}, {1336, 94, 74}, {611, 74}, {327, 328, 916}, {330, 338}]


def same_weakness(label: int, reported: int) -> bool:
    return reported == label or any(label in family and reported in family for family in FAMILIES)


def labels(corpus: Path) -> dict[Place, tuple[str, int]]:
    """(path, line) -> ("bad" or "ok", CWE) for every labelled line of the corpus."""
    found: dict[Place, tuple[str, int]] = {}
    for path in sorted(corpus.rglob("*")):
        if path.suffix in SUFFIXES:
            for number, line in enumerate(path.read_text().splitlines(), 1):
                match = LABEL.search(line)
                if match:
                    found[(path.relative_to(corpus).as_posix(), number)] = (match.group(1), int(match.group(2)))
    return found


def opskit_reports(corpus: Path, cache: Path) -> set[Report]:
    output = subprocess.run([*OPSKIT, "audit", "--only", "code", "--format", "json", "-q", "--cache-dir", str(cache),
                             str(corpus)], capture_output=True, text=True, cwd=corpus.parent, check=False).stdout
    return {(f["location"]["path"], f["location"]["line"], int(cwe.split("-")[1]))
            for f in json.loads(output)["findings"] if f["severity"] != "info" for cwe in f["cwe"] or ["CWE-0"]}


def bandit_reports(corpus: Path) -> set[Report]:
    output = subprocess.run([str(BIN / "bandit"), "-r", "-q", "-f", "json", "."], capture_output=True, text=True,
                            cwd=corpus, check=False).stdout
    return {(Path(r["filename"]).as_posix().removeprefix("./"), r["line_number"],
             (r.get("issue_cwe") or {}).get("id", 0)) for r in json.loads(output)["results"]}


def semgrep_binary() -> str | None:
    return os.environ.get("SEMGREP") or shutil.which("semgrep")


def semgrep_reports(corpus: Path, binary: str) -> set[Report]:
    output = subprocess.run([binary, "scan", "--metrics=off", "--disable-version-check", "--json", "--quiet",
                             "--config", str(SEMGREP_RULES), "."], capture_output=True, text=True, cwd=corpus,
                            check=False).stdout
    return {(Path(r["path"]).as_posix().removeprefix("./"), r["start"]["line"], 74)
            for r in json.loads(output)["results"]}


def reported(reports: set[Report], place: Place, cwe: int) -> bool:
    return any((path, line) == place and same_weakness(cwe, found) for path, line, found in reports)


def mistakes(reports: set[Report], truth: dict[Place, tuple[str, int]]) -> list[str]:
    """The labelled lines a tool gets wrong: bad lines not reported, ok lines reported."""
    return [f"{'missed' if kind == 'bad' else 'false alarm'}: {path}:{line} (CWE-{cwe})"
            for (path, line), (kind, cwe) in sorted(truth.items())
            if (kind == "bad") != reported(reports, (path, line), cwe)]


def score(tool: str, reports: set[Report], truth: dict[Place, tuple[str, int]]) -> list[Accuracy]:

    rows = []
    for language, suffixes in (("Python", (".py",)), ("JS/TS", (".js", ".ts"))):
        mine = {p: v for p, v in truth.items() if p[0].endswith(suffixes)}
        bad = [(p, cwe) for p, (kind, cwe) in mine.items() if kind == "bad"]
        ok = [(p, cwe) for p, (kind, cwe) in mine.items() if kind == "ok"]
        rows.append(Accuracy(tool, language, len(bad), sum(reported(reports, p, c) for p, c in bad), len(ok),
                             sum(reported(reports, p, c) for p, c in ok)))
    return rows


def accuracy(work: Path, source: Path, show_mistakes: bool) -> list[Accuracy]:
    corpus = work / source.name
    shutil.copytree(source, corpus)
    truth = labels(corpus)
    mine = opskit_reports(corpus, work / f"{source.name}-cache")
    if show_mistakes:
        print("\n".join(mistakes(mine, truth)))
    rows = [*score("opskit", mine, truth),
            *score("bandit", bandit_reports(corpus), truth)]
    binary = semgrep_binary()
    if binary:
        rows.extend(score("semgrep (local rules)", semgrep_reports(corpus, binary), truth))
    return rows


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
    seconds, cpu, rss, output = timed([*OPSKIT, "audit", "--only", "code", "--format", "json", "-q",
                                       "--cache-dir", str(cache), str(corpus)], cwd=corpus.parent)
    findings = json.loads(output)["findings"]
    engines = Counter("bandit hint" if f["severity"] == "info" and f["rule_id"].startswith("bandit.")
                      else "bandit" if f["rule_id"].startswith("bandit.") else "opskit rules" for f in findings)
    return Row(label, seconds, cpu, size / 1e6 / seconds, files / seconds, rss, len(findings), dict(engines))


def speed(work: Path, limit: float) -> tuple[list[Row], int, int]:
    corpus = work / "site-packages"
    files, size = build_corpus(corpus, limit)
    cache = work / "cache"
    rows = [
        run_bandit(corpus, files, size),
        run_opskit(corpus, files, size, cache, "opskit (empty cache)"),
        run_opskit(corpus, files, size, cache, "opskit (warm cache)"),
    ]
    return rows, files, size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=0, help="limit the speed corpus to N MB (default: all of it)")
    parser.add_argument("--skip-speed", action="store_true", help="only the labelled corpus (seconds, not minutes)")
    parser.add_argument("--mistakes", action="store_true", help="list the labelled lines opskit gets wrong")
    args = parser.parse_args()
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    work = Path(tempfile.mkdtemp(prefix="opskit-code-bench-"))
    result: dict[str, object] = {"cpus": os.cpu_count()}
    if args.skip_speed and RESULTS.exists():  # keep the last speed figures
        result = {**json.loads(RESULTS.read_text()), **result}
    try:
        for key, source in (("accuracy", CORPUS), ("heldout_accuracy", HELDOUT), ("heldout2_accuracy", HELDOUT2),
                            ("heldout3_accuracy", HELDOUT3), ("heldout4_accuracy", HELDOUT4),
                            ("heldout5_accuracy", HELDOUT5)):
            scores = accuracy(work, source, args.mistakes)
            print(f"labelled corpus ({source.relative_to(ROOT)}): recall and false alarms, same files for every tool")
            print(f"{'tool':<24}{'language':<10}{'bad lines':>10}{'found':>7}{'recall':>8}{'ok lines':>10}"
                  f"{'alarms':>8}{'false-alarm rate':>18}")
            for row in scores:
                print(f"{row.tool:<24}{row.language:<10}{row.bad:>10}{row.found:>7}{row.recall:>8.2f}{row.ok:>10}"
                      f"{row.alarms:>8}{row.false_alarm_rate:>18.2f}")
            result[key] = [{**asdict(r), "recall": r.recall, "false_alarm_rate": r.false_alarm_rate}
                           for r in scores]
        if not semgrep_binary():
            print("semgrep: not on PATH (set $SEMGREP to a semgrep binary to compare it too)")
        if not args.skip_speed:
            rows, files, size = speed(work, args.mb * 1e6 if args.mb else float("inf"))
            bandit, cold, warm = rows
            print(f"\nspeed corpus: {files} files, {size / 1e6:.1f} MB of {SITE_PACKAGES} on {os.cpu_count()} cores")
            print(f"{'tool':<22}{'seconds':>9}{'CPU s':>8}{'MB/s':>7}{'files/s':>9}{'peak MiB':>10}{'findings':>10}"
                  "  by engine")
            for row in rows:
                engines = ", ".join(f"{k} {v}" for k, v in sorted(row.detail.items()))
                print(f"{row.tool:<22}{row.seconds:>9.1f}{row.cpu_seconds:>8.1f}{row.mb_per_second:>7.2f}"
                      f"{row.files_per_second:>9.0f}{row.peak_rss_mib:>10.0f}{row.findings:>10}  {engines}")
            print(f"speed ratio bandit alone / opskit (empty cache): {bandit.seconds / cold.seconds:.2f}x")
            print(f"warm-cache re-scan / first scan: {warm.seconds / cold.seconds:.3f} (target < 0.1)")
            result.update({"corpus": {"files": files, "bytes": size}, "rows": [asdict(r) for r in rows],
                           "speed_ratio": bandit.seconds / cold.seconds, "warm_over_cold": warm.seconds / cold.seconds})
    finally:
        shutil.rmtree(work, ignore_errors=True)
    atomic_write(RESULTS, json.dumps(result, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
