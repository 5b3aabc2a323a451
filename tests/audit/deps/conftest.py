from __future__ import annotations

from pathlib import Path

import pytest

from tests.audit.deps.servers import OSV_RECORDS

LOCKFILES = Path(__file__).parent / "fixtures" / "lockfiles"


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test builds its own OSV index and audit cache (never the user's ~/.cache)."""
    cache = tmp_path / "xdg-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    return cache


@pytest.fixture
def osv_records() -> Path:
    return OSV_RECORDS
