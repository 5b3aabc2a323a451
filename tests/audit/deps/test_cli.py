"""``opskit audit`` with the deps scanner: the sample service demo, SARIF, baselines, ignores."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from opskit.cli import cli
from tests.audit.deps.conftest import LOCKFILES

SAMPLE = Path(__file__).resolve().parents[3] / "examples" / "sample-service"


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["audit", *args])
    return result.exit_code, result.output


def test_sample_service_plain_audit_reports_planted_pins_offline(tmp_path: Path) -> None:
    """The done-when demo: no flags; the sample service's opskit.toml points at examples/osv."""
    code, output = _run(str(SAMPLE), "--cache-dir", str(tmp_path), "--format", "json")
    assert code == 0, output
    deps = [f for f in json.loads(output)["findings"] if f["owasp"] == ["A06:2021-Vulnerable and Outdated Components"]]
    requirements = (SAMPLE / "requirements.txt").read_text().splitlines()
    lock = (SAMPLE / "package-lock.json").read_text().splitlines()
    got = {(f["location"]["path"], f["rule_id"], f["properties"]["smallest_fix"]) for f in deps}
    assert got == {
        ("requirements.txt", "GHSA-x84v-xcm2-53pg", "2.32.0"),
        ("requirements.txt", "GHSA-j8r2-6x86-q33q", "2.32.0"),
        ("requirements.txt", "GHSA-9wx4-h78v-vm56", "2.32.0"),
        ("package-lock.json", "GHSA-p6mc-m468-83gw", "4.17.21"),
        ("package-lock.json", "GHSA-35jh-r3h4-6jhm", "4.17.21"),
        ("package-lock.json", "GHSA-29mw-wpgm-hmr9", "4.17.21"),
    }
    for finding in deps:
        line = finding["location"]["line"]
        text = (requirements if finding["location"]["path"] == "requirements.txt" else lock)[line - 1]
        assert finding["properties"]["package"] in text and finding["properties"]["direct"] is True
        assert finding["properties"]["fixed_versions"]
    x84v = next(f for f in deps if f["rule_id"] == "GHSA-x84v-xcm2-53pg")
    assert x84v["properties"]["aliases"] == ["PYSEC-2018-28", "CVE-2018-18074"]
    assert "Fixed in: 2.20.0; upgrade to 2.32.0" in x84v["message"]


def test_text_output_names_ids_fixes_and_lines(tmp_path: Path) -> None:
    code, output = _run(str(SAMPLE), "--only", "deps", "--no-cache")
    assert code == 0
    assert "GHSA-x84v-xcm2-53pg" in output and "upgrade to 2.32.0" in output and "> requests==2.19.0" in output


def test_sarif_points_at_the_manifest_line(tmp_path: Path) -> None:
    code, output = _run(str(SAMPLE), "--only", "deps", "--no-cache", "--format", "sarif")
    assert code == 0
    results = json.loads(output)["runs"][0]["results"]
    where = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
              r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in results}
    assert ("GHSA-x84v-xcm2-53pg", "requirements.txt", 2) in where
    lodash = [w for w in where if w[1] == "package-lock.json"]
    assert lodash and all('"node_modules/lodash"' in (SAMPLE / "package-lock.json").read_text().splitlines()[w[2] - 1]
                          for w in lodash)


def test_fail_on_and_ignore_vuln(tmp_path: Path) -> None:
    code, _ = _run(str(LOCKFILES / "npm"), "--only", "deps", "--no-cache", "--vuln-db",
                   str(SAMPLE.parent / "osv"), "--fail-on", "critical")
    assert code == 1  # minimist 0.0.8: GHSA-xvch-5gv4-984h is 9.8
    code, output = _run(str(LOCKFILES / "npm"), "--only", "deps", "--no-cache", "--vuln-db", str(SAMPLE.parent / "osv"),
                        "--fail-on", "critical", "--ignore-vuln", "CVE-2021-44906", "--format", "json")
    assert code == 0
    assert "GHSA-xvch-5gv4-984h" not in {f["rule_id"] for f in json.loads(output)["findings"]}


def test_baseline_inline_ignore_and_ignore_file(tmp_path: Path) -> None:
    project = tmp_path / "svc"
    project.mkdir()
    (project / "requirements.txt").write_text("requests==2.19.0\njinja2==2.10  # opskit: ignore[GHSA-462w-v97r-4m45]\n")
    db = str(SAMPLE.parent / "osv")
    base = ["--only", "deps", "--vuln-db", db, "--cache-dir", str(tmp_path / "cache"), "--format", "json"]

    def rules(*extra: str) -> set[str]:
        code, output = _run(str(project), *base, *extra)
        assert code == 0, output
        return {f["rule_id"] for f in json.loads(output)["findings"]}

    assert rules() == {"GHSA-x84v-xcm2-53pg", "GHSA-j8r2-6x86-q33q", "GHSA-9wx4-h78v-vm56"}  # jinja2 inline-ignored
    assert rules() == {"GHSA-x84v-xcm2-53pg", "GHSA-j8r2-6x86-q33q", "GHSA-9wx4-h78v-vm56"}  # again, from the cache
    assert rules("--write-baseline", str(tmp_path / "baseline.json"))
    assert rules("--baseline", str(tmp_path / "baseline.json")) == set()
    (project / ".opskitignore").write_text("GHSA-j8r2-6x86-q33q:requirements.txt\n")
    assert rules() == {"GHSA-x84v-xcm2-53pg", "GHSA-9wx4-h78v-vm56"}


def test_cache_follows_the_vuln_db(tmp_path: Path) -> None:
    """A changed OSV export must not be answered from results cached for the old one."""
    db = tmp_path / "db"
    shutil.copytree(SAMPLE.parent / "osv", db)
    args = ["--only", "deps", "--vuln-db", str(db), "--cache-dir", str(tmp_path / "cache"), "--format", "json",
            str(LOCKFILES / "npm")]
    first = {f["rule_id"] for f in json.loads(_run(*args)[1])["findings"]}
    (db / "npm" / "GHSA-xvch-5gv4-984h.json").unlink()
    second = {f["rule_id"] for f in json.loads(_run(*args)[1])["findings"]}
    assert first - second == {"GHSA-xvch-5gv4-984h"}


def test_lockfile_over_the_scan_size_limit_is_read_whole(tmp_path: Path) -> None:
    """Real lockfiles pass 2 MB; the other scanners' size limit and windows do not apply to them."""
    packages = {"": {"name": "big", "dependencies": {"lodash": "4.17.15"}}}
    for i in range(12000):
        packages[f"node_modules/pkg-{i:05d}"] = {"version": "1.0.0", "resolved": f"https://r.example/pkg-{i}.tgz",
                                                 "integrity": "sha512-" + "A" * 86 + "=="}
    packages["node_modules/lodash"] = {"version": "4.17.15"}
    project = tmp_path / "big"
    project.mkdir()
    (project / "package-lock.json").write_text(json.dumps({"lockfileVersion": 3, "packages": packages}, indent=2))
    assert (project / "package-lock.json").stat().st_size > 2 * 1024 * 1024
    code, output = _run(str(project), "--only", "deps", "--no-cache", "--vuln-db", str(SAMPLE.parent / "osv"),
                        "--format", "json")
    assert code == 0, output
    doc = json.loads(output)
    lodash = [f for f in doc["findings"] if f["properties"]["package"] == "lodash"]
    line = (project / "package-lock.json").read_text().splitlines().index('    "node_modules/lodash": {') + 1
    assert len(lodash) == 3 and lodash[0]["location"]["line"] == line and lodash[0]["properties"]["direct"] is True


def test_staged_run_reports_pins_added_in_the_index(tmp_path: Path) -> None:
    """Pre-commit: a vulnerable pin added to requirements.txt blocks the commit; old pins do not."""
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)

    git("init", "-q")
    (repo / "requirements.txt").write_text("jinja2==2.10\n")
    git("add", "requirements.txt")
    git("commit", "-q", "-m", "old pin")
    (repo / "requirements.txt").write_text("jinja2==2.10\nrequests==2.19.0\n")
    git("add", "requirements.txt")
    code, output = _run(str(repo), "--staged", "--only", "deps", "--vuln-db", str(SAMPLE.parent / "osv"),
                        "--fail-on", "high", "--format", "json", "--no-cache")
    assert code == 1, output
    got = {(f["rule_id"], f["location"]["line"]) for f in json.loads(output)["findings"]}
    assert got == {("GHSA-x84v-xcm2-53pg", 2), ("GHSA-j8r2-6x86-q33q", 2), ("GHSA-9wx4-h78v-vm56", 2)}


def test_staged_run_reads_lockfiles_whole_and_reports_pins_on_added_lines(tmp_path: Path) -> None:
    """Pre-commit: ``npm install`` rewrote package-lock.json with a vulnerable lodash; the staged lockfile
    (not the work tree's) is read whole and the pin's added line is reported."""
    import subprocess

    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                       check=True, capture_output=True)

    lock = SAMPLE / "package-lock.json"
    safe = lock.read_text().replace('"4.17.15"', '"4.17.21"')
    git("init", "-q")
    shutil.copy(SAMPLE / "package.json", repo / "package.json")
    (repo / "package-lock.json").write_text(safe)
    git("add", ".")
    git("commit", "-q", "-m", "safe lodash")
    (repo / "package-lock.json").write_text(lock.read_text())
    git("add", "package-lock.json")
    (repo / "package-lock.json").write_text(safe)  # the work tree differs from the index: the index counts
    code, output = _run(str(repo), "--staged", "--only", "deps", "--vuln-db", str(SAMPLE.parent / "osv"),
                        "--format", "json", "--no-cache")
    assert code == 0, output
    findings = json.loads(output)["findings"]
    lines = lock.read_text().splitlines()
    entry = lines.index('    "node_modules/lodash": {') + 1
    assert lines[entry].strip() == '"version": "4.17.15",'  # the added line: the entry's version
    locations = {(f["location"]["path"], f["location"]["line"], f["location"]["end_line"]) for f in findings}
    assert locations == {("package-lock.json", entry, entry + 1)}
    assert {f["rule_id"] for f in findings} == {"GHSA-29mw-wpgm-hmr9", "GHSA-35jh-r3h4-6jhm", "GHSA-p6mc-m468-83gw"}
