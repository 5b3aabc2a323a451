"""The code scanners through ``opskit audit``: real apps, bandit's config and nosec, Python 3.12
syntax, SARIF tags, the cache and bad input."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opskit.audit.api import AuditRequest, run_audit
from opskit.audit.code.scanners import BanditScanner, RulesScanner
from opskit.audit.interface import ScanSettings, SourceFile
from opskit.core.command import Output
from opskit.core.findings import Report

APPS = Path(__file__).parent / "fixtures" / "apps"
OPSKIT = [sys.executable, "-m", "opskit"]


def audit(path: Path, **options: object) -> Report:
    request = AuditRequest(target=str(path), only=("code",), use_cache=False, **options)  # type: ignore[arg-type]
    return run_audit(request, Output(quiet=True))


def own(report: Report) -> set[tuple[str, int | None, str, tuple[int, ...]]]:
    return {(f.location.path, f.location.line, f.rule_id, f.cwe) for f in report.findings
            if f.rule_id.startswith("code.")}


@pytest.fixture()
def apps(tmp_path: Path) -> Path:
    shutil.copytree(APPS, tmp_path / "apps")
    return tmp_path / "apps"


@pytest.mark.parametrize(("app", "lines"), [
    ("flask_app.py", (29, 34, 40, 47)),
    ("express_app.js", (21, 26, 30, 35)),
])
def test_web_app_injections_through_containers_and_helpers(apps: Path, app: str, lines: tuple[int, ...]) -> None:
    """SQL injection through a dict/object, command injection and path traversal through helper
    functions, XSS through a container read: each with its CWE."""
    rules = [("code.sql-injection", (89,)), ("code.command-injection", (78,)), ("code.path-traversal", (22,)),
             ("code.xss", (79,))]
    assert own(audit(apps / app)) == {(app, line, rule, cwe) for line, (rule, cwe) in zip(lines, rules, strict=True)}


def test_python_312_syntax_is_analysed_by_own_rules_and_bandit_gap_is_noted(apps: Path) -> None:
    report = audit(apps)
    assert ("modern_syntax.py", 16, "code.sql-injection", (89,)) in own(report)
    assert not [f for f in report.findings if f.location.path == "modern_syntax.py" and f.rule_id.startswith("bandit")]
    assert [n for n in report.notes if n.startswith("modern_syntax.py: bandit cannot parse it")]


def test_bandit_findings_carry_cwe_owasp_and_honour_nosec(tmp_path: Path) -> None:
    (tmp_path / "jobs.py").write_text(
        "import subprocess\n\n\n"
        "def run(cmd):\n"
        "    subprocess.call(cmd, shell=True)\n"
        "    subprocess.call(cmd + ' --again', shell=True)  # nosec B602\n"
    )
    bandit = [f for f in audit(tmp_path).findings if f.rule_id == "bandit.B602"]
    assert [(f.location.line, f.cwe, f.owasp) for f in bandit] == [(5, (78,), ("A03:2021-Injection",))]
    assert bandit[0].help_uri and "b602" in bandit[0].help_uri


@pytest.mark.parametrize("config", [
    (".bandit", "[bandit]\nskips = B101,B311\n"),
    ("pyproject.toml", "[project]\nname = 'x'\n\n[tool.bandit]\nskips = ['B101', 'B311']\n"),
])
def test_bandit_own_config_in_the_scan_root_is_honoured(tmp_path: Path, config: tuple[str, str]) -> None:
    source = "import random\n\n\ndef pick(items):\n    assert items\n    return random.choice(items)\n"
    (tmp_path / "pick.py").write_text(source)
    before = {f.rule_id for f in audit(tmp_path).findings}
    assert {"bandit.B101", "bandit.B311"} <= before
    (tmp_path / config[0]).write_text(config[1])
    after = {f.rule_id for f in audit(tmp_path).findings}
    assert not {"bandit.B101", "bandit.B311"} & after


def test_sarif_shows_cwe_and_owasp_tags(apps: Path) -> None:
    out = subprocess.run([*OPSKIT, "audit", "--only", "code", "--no-cache", "--format", "sarif", str(apps)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    rules = {r["id"]: r for r in json.loads(out.stdout)["runs"][0]["tool"]["driver"]["rules"]}
    sql = rules["code.sql-injection"]["properties"]
    assert {"CWE-89", "owasp-A03"} <= set(sql["tags"])
    assert sql["owasp"] == ["A03:2021-Injection"]
    assert {"CWE-22", "owasp-A01"} <= set(rules["code.path-traversal"]["properties"]["tags"])


def test_fail_on_gates_on_code_findings(apps: Path) -> None:
    out = subprocess.run([*OPSKIT, "audit", "--only", "code", "--no-cache", "--format", "json", "--fail-on",
                          "critical", str(apps / "express_app.js")], capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert [f["rule_id"] for f in json.loads(out.stdout)["findings"] if f["severity"] == "critical"] == [
        "code.command-injection"]


def test_unchanged_rescan_is_answered_from_the_cache(apps: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    request = AuditRequest(target=str(apps), only=("code",), cache_dir=tmp_path / "cache")
    first = run_audit(request, Output(quiet=True))

    def must_not_scan(self: object, files: object) -> None:
        raise AssertionError("scanned although nothing changed")

    monkeypatch.setattr(RulesScanner, "scan", must_not_scan)
    monkeypatch.setattr(BanditScanner, "scan", must_not_scan)
    second = run_audit(request, Output(quiet=True))
    assert [f.fingerprint for f in second.findings] == [f.fingerprint for f in first.findings]
    assert own(second) == own(first) and own(first)
    assert second.notes == first.notes and any(n.startswith("modern_syntax.py: bandit") for n in first.notes)


def test_binary_broken_and_deeply_nested_files_give_notes_not_errors(tmp_path: Path) -> None:
    (tmp_path / "blob.py").write_bytes(b"\x00\x01binary\x00" * 100)
    (tmp_path / "broken.py").write_text("def f(:\n    return request.args['x'\n")
    (tmp_path / "broken.js").write_text("app.get('/', (req, res) => { res.send(req.query.x + ; });\n")
    terms = " + ".join(["request.args['x']"] * 30000)
    (tmp_path / "deep.py").write_text(f"from flask import request\n\nHTML = {terms}\n")
    report = audit(tmp_path)
    assert any(n.startswith("broken.py: bandit cannot parse it") for n in report.notes)
    assert any(n.startswith("deep.py:") for n in report.notes)
    assert not [f for f in report.findings if f.location.path == "blob.py"]


def test_invalid_bandit_config_is_a_one_line_config_error(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("print('hi')\n")
    (tmp_path / "bandit.yaml").write_text("skips: [B101\n")
    out = subprocess.run([*OPSKIT, "audit", "--only", "code", "--no-cache", str(tmp_path)],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 2
    assert out.stderr.startswith("opskit: error: ") and "bandit.yaml" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_hardcoded_passwords_never_appear_in_full(tmp_path: Path) -> None:
    (tmp_path / "settings.py").write_text('DB_PASSWORD = "Tr0ub4dor-and-3-horses"\n\n\n'
                                          'def connect(password="Tr0ub4dor-and-3-horses"):\n    return password\n')
    report = audit(tmp_path)
    bandit = [f for f in report.findings if f.rule_id in ("bandit.B105", "bandit.B107")]
    assert len(bandit) == 2
    rendered = json.dumps([f.to_dict() for f in report.findings])
    assert "Tr0ub4dor-and-3-horses" not in rendered


def test_versions_of_one_path_from_history_are_each_scanned() -> None:
    old = SourceFile(path="jobs.py", text="import os\n\n\ndef run(cmd):\n    os.system(cmd)\n",
                     origin={"commit": "a1"})
    new = SourceFile(path="jobs.py", text="import os\n\n\ndef run(cmd):\n    return os.popen(cmd)\n",
                     origin={"commit": "b2"})
    result = BanditScanner(ScanSettings()).scan([old, new])
    assert sorted((f.rule_id, f.location.line) for f in result.findings) == [
        ("bandit.B605", 5), ("bandit.B605", 5)]
    assert {f.location.snippet for f in result.findings} == {"os.system(cmd)", "return os.popen(cmd)"}


def test_two_identical_issues_on_one_line_are_both_kept(tmp_path: Path) -> None:
    (tmp_path / "dice.py").write_text("import random\n\nroll = (random.randint(1, 6), random.randint(1, 6))\n")
    b311 = [f for f in audit(tmp_path).findings if f.rule_id == "bandit.B311"]
    assert len(b311) == 2 and len({f.fingerprint for f in b311}) == 2


def test_sample_service_of_the_readme_is_reported(tmp_path: Path) -> None:
    """The deliberately vulnerable Flask and Express services in examples/sample-service."""
    service = Path(__file__).parents[3] / "examples" / "sample-service"
    for name in ("app.py", "server.js"):
        shutil.copy(service / name, tmp_path / name)
    found = {(path, cwe) for path, _, _, cwe in own(audit(tmp_path))}
    for name in ("app.py", "server.js"):
        assert {(name, (89,)), (name, (78,)), (name, (22,)), (name, (79,))} <= found, name
