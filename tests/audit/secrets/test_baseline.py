"""--write-baseline / --baseline / --report-stale, and suppression by comment and ignore file."""

from __future__ import annotations

import json
from pathlib import Path

from opskit.audit.interface import SourceFile
from opskit.audit.suppress import drop_inline_suppressed, parse_ignore_file
from opskit.core.findings import Finding, Location, Severity
from tests.audit.secrets import fakes
from tests.audit.secrets.cli import audit


def findings(run_stdout: str) -> list[dict[str, object]]:
    return json.loads(run_stdout)["findings"]


def test_baseline_hides_known_secrets_survives_moves_and_reports_new_ones(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    old = fakes.github_token()
    (root / "a.py").write_text(f"TOKEN = '{old}'\n")
    baseline = tmp_path / "baseline.json"
    first = audit("--write-baseline", str(baseline), "--format", "json", str(root), cache=tmp_path / "c")
    assert len(findings(first.stdout)) == 1
    stored = baseline.read_text()
    assert old not in stored and old[:10] not in stored
    assert json.loads(stored)["entries"][0]["rule_id"] == "github-pat"

    assert (
        findings(audit("--baseline", str(baseline), "--format", "json", str(root), cache=tmp_path / "c").stdout) == []
    )
    (root / "a.py").write_text(f"import os\n\n\n# moved down\nTOKEN = '{old}'\n")
    assert (
        findings(audit("--baseline", str(baseline), "--format", "json", str(root), cache=tmp_path / "c").stdout) == []
    )

    new = fakes.github_token()
    (root / "b.py").write_text(f"OTHER = '{new}'\n")
    run = audit("--baseline", str(baseline), "--format", "json", "--show-secrets", str(root), cache=tmp_path / "c")
    assert [f["properties"]["secret"] for f in findings(run.stdout)] == [new]  # type: ignore[index]


def test_report_stale_lists_entries_that_match_nothing(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "a.py").write_text(f"TOKEN = '{fakes.github_token()}'\n")
    baseline = tmp_path / "baseline.json"
    audit("--write-baseline", str(baseline), str(root), cache=tmp_path / "c")
    (root / "a.py").write_text("TOKEN = os.environ['TOKEN']\n")
    run = audit("--baseline", str(baseline), "--report-stale", "--format", "json", str(root), cache=tmp_path / "c")
    (note,) = json.loads(run.stdout)["notes"]
    assert "stale baseline entry github-pat in a.py (was line 1)" in note


def test_bad_baseline_files_are_one_line_errors(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    missing = audit("--baseline", str(tmp_path / "none.json"), str(root), cache=tmp_path / "c")
    assert missing.code == 2 and "baseline file not found" in missing.stderr
    (tmp_path / "bad.json").write_text('{"entries": 3}')
    bad = audit("--baseline", str(tmp_path / "bad.json"), str(root), cache=tmp_path / "c")
    assert bad.code == 2 and "not an opskit baseline" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_inline_comments_suppress_all_rules_or_only_the_named_ones(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    a, b, c = fakes.github_token(), fakes.github_token(), fakes.github_token()
    (root / "a.py").write_text(
        f"A = '{a}'  # opskit: ignore\n"
        f"B = '{b}'  # opskit: ignore[github-pat, other-rule]\n"
        f"C = '{c}'  # opskit: ignore[generic-token]\n"
    )
    run = audit("--format", "json", str(root), cache=tmp_path / "c")
    assert [(f["location"]["line"], f["rule_id"]) for f in findings(run.stdout)] == [(3, "github-pat")]  # type: ignore[index]


def test_ignore_file_accepts_fingerprints_paths_and_rule_scoped_globs(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    (root / "docs").mkdir(parents=True)
    (root / "src").mkdir()
    (root / "docs" / "howto.md").write_text(f"token: {fakes.github_token()}\n")
    (root / "src" / "a.py").write_text(f"K = '{fakes.github_token()}'\nP = '{fakes.stripe_key()}'\n")
    (root / "src" / "b.py").write_text(f"K = '{fakes.github_token()}'\n")
    everything = findings(audit("--format", "json", str(root), cache=tmp_path / "c").stdout)
    assert len(everything) == 4
    b_print = next(f["fingerprint"] for f in everything if f["location"]["path"] == "src/b.py")  # type: ignore[index]
    (root / ".opskitignore").write_text(f"# reviewed\ndocs/\nstripe-live-secret-key:src/*.py\n{b_print}  # rotated\n")
    left = findings(audit("--format", "json", str(root), cache=tmp_path / "c").stdout)
    assert [(f["location"]["path"], f["rule_id"]) for f in left] == [("src/a.py", "github-pat")]  # type: ignore[index]


def test_suppression_applies_to_findings_of_any_scanner_family() -> None:
    def finding(line: int) -> Finding:
        return Finding(
            rule_id="py-sql-injection",
            title="SQL injection",
            severity=Severity.HIGH,
            message="m",
            location=Location("db.py", line),
            fingerprint=f"fp{line}",
        )

    source = SourceFile("db.py", "cur.execute(q % x)  # opskit: ignore[py-sql-injection]\ncur.execute(q % y)\n")
    assert [f.location.line for f in drop_inline_suppressed([finding(1), finding(2)], [source])] == [2]
    ignore = parse_ignore_file("fp2\nmigrations/**\n", ".opskitignore")
    assert not ignore.ignores(finding(1)) and ignore.fingerprints == frozenset()  # "fp2" is not a fingerprint shape
    assert ignore.ignores(Finding("r", "t", Severity.LOW, "m", Location("migrations/0001.py", 1), "f"))
