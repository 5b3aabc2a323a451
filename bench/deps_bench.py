"""Benchmark: ``opskit audit --only deps`` against pip-audit on the same 2,000-package requirements file.

Generates, deterministically, an OSV export in the real schema the size of PyPI's (``--records``
records over ``--names`` package names, each with aliases, a CVSS vector, ECOSYSTEM ranges and
an explicit ``versions`` list, zipped as ``PyPI/all.zip``) and a requirements file of
``--packages`` pins, some inside an advisory's range and some outside, so the truth is known by
construction. Then, on the same input:

* opskit offline: building the SQLite index once (first run), then matching with the index in
  place (in-process, the figure the issue's "< 1 s" is about) and a whole CLI run;
* opskit online and pip-audit, both against a local HTTP server speaking the OSV API over the same
  records: pip-audit has no offline database (its services are osv.dev and PyPI's JSON API), so
  its ``--osv-url`` points at the local server; opskit's ``OPSKIT_OSV_API`` does the same.

Recall and false alarms are counted against the constructed truth for each tool.
Prints a table and writes ``bench/results/deps_bench.json``.
Run: ``.venv/bin/python bench/deps_bench.py [--records 30000] [--names 6000] [--packages 2000]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
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
    findings: int
    recall: float | None
    false_alarms: int | None


def _name(i: int) -> str:
    return f"{WORDS[i % len(WORDS)]}-{WORDS[(i // len(WORDS)) % len(WORDS)]}-{i}"


def generate(records: int, names: int, packages: int, workdir: Path) -> tuple[Path, Path, set[tuple[str, str]]]:
    """The export zip, the requirements file and the truth: (package, advisory id) pairs affected."""
    rng = random.Random(14)
    by_name: dict[str, list[tuple[str, int, int]]] = {}  # name -> (id, introduced minor, fixed minor)
    export = workdir / "PyPI" / "all.zip"
    export.parent.mkdir(parents=True)
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(records):
            name = _name(rng.randrange(names))
            introduced, fixed = sorted(rng.sample(range(0, 40), 2))
            vuln_id = f"PYSEC-{2015 + n % 10}-{n}"
            by_name.setdefault(name, []).append((vuln_id, introduced, fixed))
            record = {
                "schema_version": "1.6.0", "id": vuln_id, "modified": "2025-01-01T00:00:00Z",
                "published": "2024-01-01T00:00:00Z", "aliases": [f"CVE-{2015 + n % 10}-{100000 + n}"],
                "details": f"{name} before 1.{fixed}.0 mishandles crafted input in its {WORDS[n % len(WORDS)]} "
                           "handling, which lets remote attackers cause a denial of service or bypass checks. " * 3,
                "severity": [{"type": "CVSS_V3" if VECTORS[n % 5].startswith("CVSS:3") else "CVSS_V4",
                              "score": VECTORS[n % 5]}],
                "affected": [{
                    "package": {"ecosystem": "PyPI", "name": name, "purl": f"pkg:pypi/{name}"},
                    "ranges": [{"type": "ECOSYSTEM", "events": [
                        {"introduced": "0" if introduced == 0 else f"1.{introduced}.0"}, {"fixed": f"1.{fixed}.0"}]}],
                    "versions": [f"1.{m}.{p}" for m in range(introduced, fixed) for p in range(3)],
                }],
                "references": [{"type": "ADVISORY", "url": f"https://example.org/advisories/{vuln_id}"}],
            }
            archive.writestr(f"{vuln_id}.json", json.dumps(record))
    pinned = rng.sample(sorted(by_name), min(packages, len(by_name)))
    pinned += [_name(names + i) for i in range(packages - len(pinned))]  # names without advisories
    truth: set[tuple[str, str]] = set()
    lines = []
    for name in sorted(pinned):
        minor, patch = rng.randrange(0, 42), rng.randrange(3)
        lines.append(f"{name}=={1}.{minor}.{patch}")
        for vuln_id, introduced, fixed in by_name.get(name, ()):
            if introduced <= minor < fixed:
                truth.add((name, vuln_id))
    requirements = workdir / "requirements.txt"
    requirements.write_text("\n".join(lines) + "\n")
    return workdir, requirements, truth


def score(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> tuple[float, int]:
    return (len(found & truth) / len(truth) if truth else 1.0), len(found - truth)


def opskit_offline(db: Path, requirements: Path, cache: Path) -> tuple[float, float, float, set[tuple[str, str]]]:
    """(index build s, matching s with the index in place, whole CLI run s, findings)."""
    from opskit.audit.deps.interface import DepsOptions
    from opskit.audit.deps.scanner import DepsScanner
    from opskit.audit.interface import ScanSettings, SourceFile

    settings = ScanSettings(root=str(requirements.parent), extra={"deps": DepsOptions(vuln_db=str(db)),
                                                                  "osv_index_dir": cache})
    start = time.perf_counter()
    scanner = DepsScanner(settings)
    scanner.source.ensure_index()  # type: ignore[attr-defined]
    build = time.perf_counter() - start
    source = SourceFile(path="requirements.txt", text=requirements.read_text())
    start = time.perf_counter()
    scanner = DepsScanner(settings)
    result = scanner.scan([source])
    match = time.perf_counter() - start
    env = {**os.environ, "XDG_CACHE_HOME": str(cache.parent.parent), "PYTHONPATH": str(ROOT)}  # .../opskit/osv
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "opskit", "audit", "--only", "deps", "--no-cache", "--vuln-db", str(db),
                    "--format", "json", "-o", str(cache / "out.json"), str(requirements)], env=env, check=False)
    whole = time.perf_counter() - start
    found = {(f.properties["package"], f.rule_id) for f in result.findings}
    return build, match, whole, found


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
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "opskit", "audit", "--only", "deps", "--no-cache", "--format", "json",
                        "-o", str(out), str(requirements)], env=env, check=False)
        seconds = time.perf_counter() - start
        found = {(f["properties"]["package"], f["rule_id"]) for f in json.loads(out.read_text())["findings"]
                 if not f["rule_id"].startswith("deps-")}
        rows.append(Row("opskit", "online: local OSV API + registry lookups", seconds, len(found),
                        *score(found, truth)))
        pip_audit = BIN / "pip-audit"
        if not pip_audit.exists():
            print("pip-audit is not installed (bench extra); skipped", file=sys.stderr)
            return rows
        start = time.perf_counter()
        proc = subprocess.run([str(pip_audit), "-r", str(requirements), "--no-deps", "--disable-pip", "-s", "osv",
                               "--osv-url", f"{url}/v1/query", "-f", "json", "--progress-spinner", "off",
                               "--cache-dir", str(workdir / "pip-audit-cache")],
                              capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
    try:
        report: Any = json.loads(proc.stdout)
    except ValueError:
        print(f"pip-audit failed: {proc.stderr[-500:]}", file=sys.stderr)
        return rows
    pa_found = {(d["name"], v["id"]) for d in report.get("dependencies", []) for v in d.get("vulns", [])}
    rows.append(Row("pip-audit", "online: local OSV API (--osv-url)", seconds, len(pa_found), *score(pa_found, truth)))
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
        build, match, whole, found = opskit_offline(db, requirements, workdir / "xdg" / "opskit" / "osv")
        recall, false = score(found, truth)
        rows = [Row("opskit", "offline: index build (once)", build, 0, None, None),
                Row("opskit", "offline: matching, index in place", match, len(found), recall, false),
                Row("opskit", "offline: whole CLI run, index in place", whole, len(found), recall, false)]
        if not args.skip_online:
            rows += online_runs(db, requirements, workdir, truth)
    print(f"{'tool':10} {'what':48} {'seconds':>8} {'findings':>8} {'recall':>7} {'false':>6}")
    for row in rows:
        recall_text = f"{row.recall:.3f}" if row.recall is not None else "-"
        false_text = str(row.false_alarms) if row.false_alarms is not None else "-"
        print(f"{row.tool:10} {row.what:48} {row.seconds:8.3f} {row.findings:8} {recall_text:>7} {false_text:>6}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    atomic_write(RESULTS, json.dumps({"records": args.records, "names": args.names, "packages": args.packages,
                                      "load_average": round(os.getloadavg()[0], 2),
                                      "true_hits": len(truth), "rows": [asdict(r) for r in rows]}, indent=2) + "\n")


if __name__ == "__main__":
    main()
