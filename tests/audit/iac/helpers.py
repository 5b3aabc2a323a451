"""Scan a directory the way ``opskit audit --only iac`` does, for tests that assert on findings."""

from __future__ import annotations

from pathlib import Path

from opskit.audit.api import build_scanners
from opskit.audit.files import FileFilter, discover_files
from opskit.audit.interface import ScanSettings
from opskit.audit.runner import RunOutcome, run_scanners

FIXTURES = Path(__file__).parent / "fixtures"


def scan_tree(root: Path, show_secrets: bool = False) -> RunOutcome:
    """File discovery, the iac scanners and the runner, without cache or baseline."""
    scanners = build_scanners(["iac"], ScanSettings(root=str(root), show_secrets=show_secrets))
    items, _ = discover_files(root, FileFilter())
    return run_scanners(items, scanners, {}, jobs=1)
