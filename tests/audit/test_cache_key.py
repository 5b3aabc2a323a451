"""The audit cache is keyed in one place: a rule edit or an upgrade never serves stale results."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import opskit


def _audit(package_parent: Path, project: Path, cache: Path) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(package_parent)}
    result = subprocess.run(
        [sys.executable, "-m", "opskit", "audit", "--only", "iac", "--format", "json", "--cache-dir", str(cache),
         str(project)],
        capture_output=True, text=True, env=env, timeout=300, cwd=package_parent,
    )
    assert result.returncode == 0, result.stderr
    return sorted(f["title"] for f in json.loads(result.stdout)["findings"])


def test_rule_title_edit_in_a_copy_of_the_package_reaches_cached_results(tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(Path(opskit.__file__).parent, copy / "opskit", ignore=shutil.ignore_patterns("__pycache__"))
    project, cache = tmp_path / "svc", tmp_path / "cache"
    project.mkdir()
    (project / "Dockerfile").write_text("FROM python:3.12-slim\nCOPY app.py /app/\nCMD [\"python\", \"/app/app.py\"]\n")
    (project / ".dockerignore").write_text(".git\n")
    assert "Container runs as root" in _audit(copy, project, cache)
    rules = copy / "opskit" / "audit" / "iac" / "rules" / "dockerfile.yaml"
    rules.write_text(rules.read_text().replace("title: Container runs as root", "title: Container runs as ROOT", 1))
    assert "Container runs as ROOT" in _audit(copy, project, cache)


def test_key_covers_version_settings_and_outside_inputs() -> None:
    from opskit.audit.cache import package_digest, scanner_key
    from opskit.audit.interface import ScanSettings
    from opskit.audit.secrets.scanner import SecretsScanner

    plain, shown = SecretsScanner(ScanSettings()), SecretsScanner(ScanSettings(show_secrets=True))
    assert scanner_key(plain) != scanner_key(shown)
    assert scanner_key(plain) == scanner_key(SecretsScanner(ScanSettings()))
    assert not hasattr(SecretsScanner, "version")

    class WithTool(SecretsScanner):
        def outside_inputs(self) -> str:
            return "tool 2.0"

    assert scanner_key(WithTool(ScanSettings())) != scanner_key(plain)
    package_digest.cache_clear()
    before = package_digest()
    package_digest.cache_clear()
    original = opskit.__version__
    try:
        import opskit.audit.cache as cache_module

        cache_module.__version__ = "99.0"  # type: ignore[attr-defined]
        assert package_digest() != before
    finally:
        cache_module.__version__ = original  # type: ignore[attr-defined]
        package_digest.cache_clear()
