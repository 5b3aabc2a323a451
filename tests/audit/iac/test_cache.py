"""Re-scans reuse cached results, but adding a .dockerignore invalidates the Dockerfile's cached findings."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from opskit.cli import cli


def rules_found(project: Path, cache: Path) -> list[str]:
    result = CliRunner().invoke(cli, ["audit", "--only", "iac", "--format", "json", "--cache-dir", str(cache),
                                      str(project)])
    assert result.exit_code == 0, result.output
    return sorted(f["rule_id"] for f in json.loads(result.output)["findings"])


def test_dockerignore_change_reaches_cached_dockerfile(tmp_path: Path) -> None:
    project, cache = tmp_path / "svc", tmp_path / "cache"
    project.mkdir()
    (project / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY . /app\nUSER app\n")
    assert rules_found(project, cache) == ["iac.docker-copy-context-without-dockerignore"]
    assert list(cache.iterdir()), "the first run wrote no cache"
    assert rules_found(project, cache) == ["iac.docker-copy-context-without-dockerignore"]
    (project / ".dockerignore").write_text(".git\n.env*\n*.pem\n*.key\nid_rsa*\n")
    assert rules_found(project, cache) == []
