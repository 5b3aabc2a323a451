"""Benchmark: ``opskit audit --only deps`` against pip-audit on the same 2,000-package requirements file.

Generates, deterministically, an OSV export in the real schema the size of PyPI's (``--records``
records over ``--names`` package names, each with aliases, a CVSS v3 or v4 vector and one of the
shapes PyPI's records have: introduced/fixed, introduced/last_affected, an explicit ``versions``
list only, two ranges, withdrawn; zipped as ``PyPI/all.zip``) and a requirements file of
``--packages`` pins (one in four a release candidate), some inside an advisory's range and some
outside, so the truth is known by construction (tuple comparisons, not opskit's matcher). Then, on the same input:

* opskit offline: building the SQLite index once (first run), then matching with the index in
  place (in-process, the figure the issue's "< 1 s" is about) and a whole CLI run;
* opskit online and pip-audit, both against a local HTTP server speaking the OSV API over the same
  records: pip-audit has no offline database (its services are osv.dev and PyPI's JSON API), so
  its ``--osv-url`` points at the local server; opskit's ``OPSKIT_OSV_API`` does the same.

Recall and false alarms are counted against the constructed truth for each tool.
Prints a table and writes ``bench/results/deps_bench.json``.
The same is then done for npm (SEMVER ranges, a 2,000-package ``package-lock.json``), opskit alone:
no peer reads an OSV export offline (``npm audit`` asks the registry's audit endpoint).
Run: ``.venv/bin/python bench/deps_bench.py [--records 30000] [--names 6000] [--packages 2000]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opskit.core.atomic import atomic_write  # noqa: E402

BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "deps_bench.json"
VECTORS = ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N",
           "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L",
           "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"]
WORDS = ["request", "parser", "yaml", "http", "auth", "crypto", "json", "xml", "image", "cli", "db", "orm",
         "cache", "queue", "template", "storage", "client", "server", "util", "async"]


@dataclass
class Row:
    tool: str
    what: str
    seconds: float
    cpu_seconds: float  # the tool's own user+system time: steadier than wall time on a shared machine
    findings: int
    recall: float | None
    false_alarms: int | None


def _name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]}-{WORDS[(i // len(WORDS)) % len(WORDS)]}-{i}"


# Record shapes, by record number modulo 5, as PyPI's database has them.
SHAPES = ("introduced/fixed", "introduced/last_affected", "versions list only", "two ranges", "withdrawn or fixed")
Version = tuple[int, int]  # (minor, patch) of 1.minor.patch; patch -1 is the release candidate 1.minor.0rc1


def _affected(version: Version, spans: list[tuple[Version, Version]], listed: set[Version] | None) -> bool:
    """The truth, by construction: inside a half-open span, or in the explicit list."""
    if listed is not None:
        return version in listed
    return any(low <= version < high for low, high in spans)


def _events(low: Version, high: Version, shape: int) -> list[dict[str, str]]:
    first = {"introduced": "0"} if low == (0, 0) else {"introduced": f"1.{low[0]}.0"}
    if shape == 1:  # last_affected: the highest affected release instead of the first fixed one
        return [first, {"last_affected": f"1.{high[0] - 1}.2"}]
    return [first, {"fixed": f"1.{high[0]}.0"}]


def _text(version: Version, npm: bool) -> str:
    if version[1] < 0:
        return f"1.{version[0]}.0-rc.1" if npm else f"1.{version[0]}.0rc1"
    return f"1.{version[0]}.{version[1]}"


def generate(records: int, names: int, packages: int, workdir: Path,
             ecosystem: str = "PyPI") -> tuple[Path, Path, set[tuple[str, str]]]:
    """The export zip, the manifest (requirements.txt, or a package-lock.json for npm) and the truth:
    (package, advisory id) pairs affected."""
    npm = ecosystem == "npm"
    rng = random.Random(14)
    by_name: dict[str, list[tuple[str, list[tuple[Version, Version]], set[Version] | None]]] = {}
    export = workdir / ecosystem / "all.zip"
    export.parent.mkdir(parents=True)
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(records):
            name = _name(rng.randrange(names))
            introduced, fixed = sorted(rng.sample(range(0, 36), 2))
            shape, vuln_id = n % 5, f"{'GHSA' if npm else 'PYSEC'}-{2015 + n % 10}-{n}"
            spans = [((introduced, 0), (fixed, 0))] + ([((fixed + 2, 0), (fixed + 4, 0))] if shape == 3 else [])
            versions = [(m, p) for low, high in spans for m in range(low[0], high[0]) for p in range(3)]
            withdrawn = shape == 4 and n % 50 == 4
            affected: dict[str, Any] = {
                "package": {"ecosystem": ecosystem, "name": name, "purl": f"pkg:{ecosystem.lower()}/{name}"},
                "versions": [f"1.{m}.{p}" for m, p in versions]}
            if shape != 2:
                affected["ranges"] = [{"type": "SEMVER" if npm else "ECOSYSTEM", "events": _events(low, high, shape)}
                                      for low, high in spans]
            if shape == 1:  # affected up to and including 1.(fixed-1).2: 1.fixed.0rc1 is not
                spans = [(low, (high[0] - 1, 3)) for low, high in spans]
            spans = [((-1, -1) if low == (0, 0) else low, high) for low, high in spans]  # "0": 1.0.0rc1 too
            if not withdrawn:
                by_name.setdefault(name, []).append((vuln_id, spans, set(versions) if shape == 2 else None))
            record = {
                "schema_version": "1.6.0", "id": vuln_id, "modified": "2025-01-01T00:00:00Z",
                "published": "2024-01-01T00:00:00Z", "aliases": [f"CVE-{2015 + n % 10}-{100000 + n}"],
                "details": f"{name} before 1.{fixed}.0 mishandles crafted input in its {WORDS[n % len(WORDS)]} "
                           "handling, which lets remote attackers cause a denial of service or bypass checks. " * 3,
                "severity": [{"type": "CVSS_V3" if VECTORS[n % 5].startswith("CVSS:3") else "CVSS_V4",
                              "score": VECTORS[n % 5]}],
                "affected": [affected],
                "references": [{"type": "ADVISORY", "url": f"https://example.org/advisories/{vuln_id}"}],
                **({"withdrawn": "2025-02-01T00:00:00Z"} if withdrawn else {}),
            }
            archive.writestr(f"{vuln_id}.json", json.dumps(record))
    pinned = rng.sample(sorted(by_name), min(packages, len(by_name)))
    pinned += [_name(names + i) for i in range(packages - len(pinned))]  # names without advisories
    truth: set[tuple[str, str]] = set()
    pins: dict[str, str] = {}
    for name in sorted(pinned):
        version = (rng.randrange(0, 42), rng.choice((-1, 0, 1, 2)))  # one pin in four is a release candidate
        pins[name] = _text(version, npm)
        for vuln_id, spans, listed in by_name.get(name, ()):
            if _affected(version, spans, listed):
                truth.add((name, vuln_id))
    if npm:
        manifest = workdir / "package-lock.json"
        entries: dict[str, Any] = {"": {"name": "bench", "dependencies": {n: v for n, v in list(pins.items())[:200]}}}
        entries.update({f"node_modules/{n}": {"version": v, "resolved": f"https://registry.npmjs.org/{n}/-/{n}-{v}.tgz",
                                              "integrity": "sha512-" + "A" * 86 + "=="} for n, v in pins.items()})
        manifest.write_text(json.dumps({"name": "bench", "lockfileVersion": 3, "packages": entries}, indent=2))
    else:
        manifest = workdir / "requirements.txt"
        manifest.write_text("".join(f"{n}=={v}\n" for n, v in pins.items()))
    return workdir, manifest, truth


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def score(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, int]:
    return (len(found & truth) / len(truth) if truth else 1.0), len(found - truth)


def opskit_offline(db: Path, requirements: Path, cache: Path) -> tuple[list[float], set[tuple[str, str]]]:
    """([index build s, its CPU s, matching s, its CPU s, whole CLI run s, its CPU s], findings)."""
    from opskit.audit.deps.interface import DepsOptions
    from opskit.audit.deps.scanner import DepsScanner
    from opskit.audit.interface import ScanSettings, SourceFile

    settings = ScanSettings(root=str(requirements.parent), extra={"deps": DepsOptions(vuln_db=str(db)),
                                                                  "osv_index_dir": cache})
    start, cpu = time.perf_counter(), time.process_time()
    scanner = DepsScanner(settings)
    scanner.source.ensure_index()  # type: ignore[attr-defined]
    build, build_cpu = time.perf_counter() - start, time.process_time() - cpu
    source = SourceFile(path=requirements.name, text=requirements.read_text())
    start, cpu = time.perf_counter(), time.process_time()
    scanner = DepsScanner(settings)
    result = scanner.scan([source])
    match, match_cpu = time.perf_counter() - start, time.process_time() - cpu
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parent.parent), "PYTHONPATH": str(ROOT)}  # .../opskit/osv
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run([sys.executable, "-m", "opskit", "audit", "--only", "deps", "--no-cache", "--vuln-db", str(db),
                    "--format", "json", "-o", str(cache / "out.json"), str(requirements)], env=env, check=False)
    whole, whole_cpu = time.perf_counter() - start, _children_cpu() - cpu
    found = {(f.properties["package"], f.rule_id) for f in result.findings}
    return [build, build_cpu, match, match_cpu, whole, whole_cpu], found


def online_runs(db: Path, requirements: Path, workdir: Path, truth: set[tuple[str, str]]) -> list[Row]:
    """opskit online and pip-audit, both against one local OSV API server over the same records."""
    from tests.audit.deps.servers import OsvApp, serve

    with zipfile.ZipFile(db / "PyPI" / "all.zip") as archive:
        records = {name[:-5]: json.loads(archive.read(name)) for name in archive.namelist()}
    rows = []
    with serve(OsvApp(records)) as (url, _):
        env = {**os.environ, "OPSKIT_OSV_API": url, "OPSKIT_PYPI_URL": url, "PYTHONPATH": str(ROOT),
               "XDG_CACHE_HOME": str(workdir / "xdg")}
        out = workdir / "opskit-online.json"
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run([sys.executable, "-m", "opskit", "audit", "--only", "deps", "--no-cache", "--format", "json",
                        "-o", str(out), str(requirements)], env=env, check=False)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
        found = {(f["properties"]["package"], f["rule_id"]) for f in json.loads(out.read_text())["findings"]
                 if not f["rule_id"].startswith("deps-")}
        rows.append(Row("opskit", "online: local OSV API + registry lookups", seconds, cpu, len(found),
                        *score(found, truth)))
        pip_audit = BIN / "pip-audit"
        if not pip_audit.exists():
            print("pip-audit is not installed (bench extra); skipped", file=sys.stderr)
            return rows
        start, cpu = time.perf_counter(), _children_cpu()
        proc = subprocess.run([str(pip_audit), "-r", str(requirements), "--no-deps", "--disable-pip", "-s", "osv",
                               "--osv-url", f"{url}/v1/query", "-f", "json", "--progress-spinner", "off",
                               "--cache-dir", str(workdir / "pip-audit-cache")],
                              capture_output=True, text=True, check=False)
        seconds, cpu = time.perf_counter() - start, _children_cpu() - cpu
    try:
        report: Any = json.loads(proc.stdout)
    except ValueError:
        print(f"pip-audit failed: {proc.stderr[-500:]}", file=sys.stderr)
        return rows
    pa_found = {(d["name"], v["id"]) for d in report.get("dependencies", []) for v in d.get("vulns", [])}
    rows.append(Row("pip-audit", "online: local OSV API (--osv-url)", seconds, cpu, len(pa_found),
                    *score(pa_found, truth)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=30000)
    parser.add_argument("--names", type=int, default=6000)
    parser.add_argument("--packages", type=int, default=2000)
    parser.add_argument("--skip-online", action="store_true", help="only the offline figures")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="opskit-deps-bench-") as tmp:
        workdir = Path(tmp)
        start = time.perf_counter()
        db, requirements, truth = generate(args.records, args.names, args.packages, workdir / "data")
        print(f"generated {args.records} records, {args.packages} pins, {len(truth)} true hits "
              f"in {time.perf_counter() - start:.1f} s")
        times, found = opskit_offline(db, requirements, workdir / "xdg" / "opskit" / "osv")
        recall, false = score(found, truth)
        rows = [Row("opskit", "offline: index build (once)", times[0], times[1], 0, None, None),
                Row("opskit", "offline: matching, index in place", times[2], times[3], len(found), recall, false),
                Row("opskit", "offline: whole CLI run, index in place", times[4], times[5], len(found), recall, false)]
        if not args.skip_online:
            rows += online_runs(db, requirements, workdir, truth)
        # npm: no peer reads an OSV export offline (npm audit asks the registry), so opskit alone.
        db, lock, npm_truth = generate(args.records, args.names, args.packages, workdir / "npm-data", "npm")
        times, found = opskit_offline(db, lock, workdir / "xdg-npm" / "opskit" / "osv")
        rows += [Row("opskit", "npm offline: index build (once)", times[0], times[1], 0, None, None),
                 Row("opskit", "npm offline: matching package-lock, index in place", times[2], times[3], len(found),
                     *score(found, npm_truth))]
    print(f"{'tool':10} {'what':52} {'seconds':>8} {'cpu s':>8} {'findings':>8} {'recall':>7} {'false':>6}")
    for row in rows:
        recall_text = f"{row.recall:.3f}" if row.recall is not None else "-"
        false_text = str(row.false_alarms) if row.false_alarms is not None else "-"
        print(f"{row.tool:10} {row.what:52} {row.seconds:8.3f} {row.cpu_seconds:8.3f} {row.findings:8} "
              f"{recall_text:>7} {false_text:>6}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    atomic_write(RESULTS, json.dumps({"records": args.records, "names": args.names, "packages": args.packages,
                                      "load_average": round(os.getloadavg()[0], 2),
                                      "true_hits": len(truth), "npm_true_hits": len(npm_truth),
                                      "rows": [asdict(r) for r in rows]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
