"""Content-hash cache of scan results, so an unchanged re-scan skips the work.

A key is (scanner key, path, content hash); the stored value is the findings as plain dicts.
The scanner key is made here and only here: opskit's version, a digest of the audit package's
code and rule files, the scan settings and the scanner's declared outside inputs (bandit's
release, a .dockerignore), so an upgrade or a rule edit never serves stale results. One JSON file
per scan root, written atomically at the end of a run.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from opskit import __version__
from opskit.core.atomic import atomic_write

if TYPE_CHECKING:
    from opskit.audit.interface import Scanner

_PACKAGE = Path(__file__).parent
_CODE_SUFFIXES = frozenset({".py", ".yml", ".yaml", ".json", ".toml", ".txt"})

Entries = dict[str, list[dict[str, Any]]]


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "opskit" / "audit"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@cache
def package_digest(package: Path = _PACKAGE) -> str:
    """A digest of every code and rule file of the audit package (and opskit's version)."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(p for p in package.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()):
        digest.update(b"\0" + path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def scanner_key(scanner: Scanner) -> str:
    """What a scanner's cached results depend on besides the file: code, rules, settings, outside inputs."""
    parts = (package_digest(), scanner.name, repr(scanner.settings), scanner.outside_inputs())
    return hashlib.blake2b("\x1f".join(parts).encode("utf-8", "surrogateescape"), digest_size=12).hexdigest()


def cache_key(scanner_key: str, path: str, digest: str) -> str:
    return f"{scanner_key}\x1f{path}\x1f{digest}"


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
