"""Runs ``opskit audit --only secrets`` in-process with its own cache directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner

from opskit.cli import cli


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str


def audit(*args: str, cache: Path, stdin: str | None = None) -> Run:
    result = CliRunner().invoke(cli, ["audit", "--only", "secrets", "--cache-dir", str(cache), *args], input=stdin)
    return Run(result.exit_code, result.stdout, result.stderr)
