"""Content-hash cache of scan results, so an unchanged re-scan skips the work.

A key is (scanner, scanner version, path, content hash); the stored value is the findings
as plain dicts. One JSON file per scan root, written atomically at the end of a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from opskit.core.atomic import atomic_write

Entries = dict[str, list[dict[str, Any]]]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "opskit" / "audit"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def cache_key(scanner: str, version: str, path: str, digest: str) -> str:
    return f"{scanner}\x1f{version}\x1f{path}\x1f{digest}"


class ResultCache:
    """Loads the entries for one scan root and stores the entries of this run."""

    def __init__(self, directory: Path, root: str, salt: str) -> None:
        name = hashlib.sha256(f"{os.path.abspath(root)}\0{salt}".encode()).hexdigest()[:24]
        self.file = directory / f"{name}.json"
        self.entries: Entries = {}

    def load(self) -> Entries:
        try:
            with self.file.open("rb") as handle:
                data = json.load(handle)
            self.entries = data if isinstance(data, dict) else {}
        except (OSError, ValueError):
            self.entries = {}  # a missing or damaged cache is only a slower run
        return self.entries

    def save(self, entries: Entries) -> None:
        # A cache that cannot be written must not fail the audit.
        with contextlib.suppress(Exception):
            atomic_write(self.file, json.dumps(entries, separators=(",", ":")), mode=0o600)
