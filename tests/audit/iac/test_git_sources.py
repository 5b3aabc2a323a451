"""``--staged`` and ``--history`` hand scanners only added lines; the IaC checks read whole files from git."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from opskit.cli import cli

DOCKERFILE = "FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nUSER app\nCMD [\"python\"]\n"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   check=True, capture_output=True)


def audit(repo: Path, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(cli, ["audit", "--only", "iac", "--format", "json", "--no-cache", *args, str(repo)])
    assert result.exit_code == 0, result.output
    report: dict[str, Any] = json.loads(result.output)
    return report


def repo_with_dockerfile(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    git(repo, "init", "-q")
    (repo / "svc" / "Dockerfile").write_text(DOCKERFILE)
    (repo / "svc" / ".dockerignore").write_text(".env*\n*.pem\n*.key\nid_rsa*\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "service")
    return repo


def test_staged_change_is_checked_in_its_whole_file(tmp_path: Path) -> None:
    repo = repo_with_dockerfile(tmp_path)
    changed = DOCKERFILE.replace("COPY requirements.txt .", "COPY . .\nENV API_TOKEN=tok_8f3kD9qLz2mX7vB1")
    (repo / "svc" / "Dockerfile").write_text(changed)
    (repo / "svc" / ".dockerignore").write_text("")  # unstaged: the staged .dockerignore still counts
    git(repo, "add", "svc/Dockerfile")
    report = audit(repo, "--staged")
    assert report["notes"] == []
    # USER app on an unchanged line is still seen (no root finding); COPY . . is fine with the
    # staged .dockerignore; only the added ENV line is reported.
    assert [(f["location"]["path"], f["location"]["line"], f["rule_id"]) for f in report["findings"]] == [
        ("svc/Dockerfile", 4, "iac.docker-secret-in-env")]


def test_history_finds_an_issue_that_was_removed_later(tmp_path: Path) -> None:
    repo = repo_with_dockerfile(tmp_path)
    (repo / "svc" / "Dockerfile").write_text(DOCKERFILE.replace("USER app\n", "USER app\nUSER root\n"))
    git(repo, "commit", "-q", "-am", "debugging")
    (repo / "svc" / "Dockerfile").write_text(DOCKERFILE)
    git(repo, "commit", "-q", "-am", "undo")
    report = audit(repo, "--history")
    assert report["notes"] == []
    assert [(f["location"]["line"], f["rule_id"]) for f in report["findings"]] == [(5, "iac.docker-root-user")]
