"""Cross-scanner repeats of one issue on one line are reported once; distinct issues stay apart."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def audit_json(root: Path) -> list[dict]:
    result = subprocess.run(
        [sys.executable, "-m", "opskit", "audit", str(root), "--no-cache", "--format", "json"],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)["findings"]


def at(findings: list[dict], path: str, line: int) -> list[dict]:
    return [f for f in findings if f["location"]["path"] == path and f["location"]["line"] == line]


def test_bandit_and_taint_on_one_line_become_one_finding(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import subprocess\n"
        "from flask import Flask, request\n"
        "app = Flask(__name__)\n\n"
        "@app.route('/zip')\n"
        "def zip_report():\n"
        "    name = request.args.get('name')\n"
        "    subprocess.call('tar czf /tmp/' + name + '.tgz reports', shell=True)\n"
        "    return 'ok'\n"
    )
    line = at(audit_json(tmp_path), "app.py", 8)
    assert [f["rule_id"] for f in line] == ["code.command-injection"]
    assert line[0]["properties"]["also_reported_by"] == ["bandit.B602"]


def test_two_secrets_on_one_line_stay_two_and_a_committed_env_stays_its_own_issue(tmp_path: Path) -> None:
    key_id = "AKIA" + "Q7XK2M3RTB4WZ5NP"
    secret = "dTGj" + "8aZr3kQw9XvB2nLp5sYe7uHc4fMi6oKt1Jg0"
    (tmp_path / ".env").write_text(f"AWS_ACCESS_KEY_ID={key_id} AWS_SECRET_ACCESS_KEY={secret}\n")
    findings = audit_json(tmp_path)
    rules = sorted(f["rule_id"] for f in at(findings, ".env", 1))
    assert "aws-access-key-id" in rules and "aws-secret-access-key" in rules
    assert "iac.config-committed-env" in rules
    assert key_id not in json.dumps(findings) and secret not in json.dumps(findings)
