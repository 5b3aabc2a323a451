"""Offline advisories from OSV exports on disk, indexed once into SQLite and reused.

``--vuln-db PATH`` is a directory of OSV ``*.json`` records (any depth), a per-ecosystem
``all.zip`` as osv.dev publishes it, or a directory holding such zips (``--update-db`` writes
``DIR/<ecosystem>/all.zip``). The index lives in the cache directory under a name derived from
the files' names, sizes and modification times, so changed data is indexed again.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from opskit.audit.deps.interface import Advisory, Ecosystem, Package, VulnSource, normalize_name
from opskit.audit.deps.osv.record import RecordError, from_row, parse_record, to_row
from opskit.core.errors import InputError

INDEX_VERSION = "2"
_ECOSYSTEMS = {e.value: e for e in Ecosystem}


def _data_files(root: Path) -> list[Path]:
    if root.is_file():
        return [root]
    files: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        files.extend(Path(dirpath, f) for f in sorted(filenames) if f.endswith((".json", ".zip")))
    return files


def _records(files: Sequence[Path]) -> Iterator[bytes]:
    """The raw JSON of every record in the files, zips included."""
    for path in files:
        if path.suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    for info in archive.infolist():
                        if info.filename.endswith(".json") and not info.is_dir():
                            yield archive.read(info)
            except (zipfile.BadZipFile, OSError) as exc:
                raise InputError(f"{path}: not a readable zip of OSV records: {exc}") from None
        else:
            try:
                yield path.read_bytes()
            except OSError as exc:
                raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


class LocalDatabase(VulnSource):
    """An OSV export on disk with a SQLite index of (ecosystem, package name) -> records."""

    def __init__(self, path: str | Path, cache_dir: Path) -> None:
        self.root = Path(path)
        if not self.root.exists():
            raise InputError(f"{self.root}: --vuln-db: no such file or directory")
        self.files = _data_files(self.root)
        if not self.files:
            raise InputError(f"{self.root}: --vuln-db: no OSV records (*.json) or all.zip files found")
        digest = hashlib.sha256(f"{INDEX_VERSION}\0{self.root.resolve()}".encode())
        for file in self.files:
            st = file.stat()
            digest.update(f"\0{file}\0{st.st_size}\0{st.st_mtime_ns}".encode())
        self._identity = digest.hexdigest()[:24]
        self.index_path = cache_dir / f"osv-{self._identity}.sqlite"
        self.skipped = 0  # records that are not valid OSV, counted while indexing
        self._connection: sqlite3.Connection | None = None
        self._parsed: dict[str, Advisory] = {}

    def identity(self) -> str:
        return f"osv-db:{self._identity}"

    def ensure_index(self) -> Path:
        """Build the index unless it exists; returns its path."""
        if not self.index_path.exists():
            self._build()
        return self.index_path

    def _build(self) -> None:
        self.index_path.parent.mkdir(parents=True, exist_ok=True)
        temp = self.index_path.with_suffix(f".{os.getpid()}.tmp")
        temp.unlink(missing_ok=True)
        db = sqlite3.connect(temp)
        try:
            db.executescript(
                "CREATE TABLE record (id TEXT PRIMARY KEY, json TEXT NOT NULL);"
                "CREATE TABLE affected (ecosystem TEXT, name TEXT, id TEXT);"
            )
            for raw in _records(self.files):
                try:
                    record = json.loads(raw)
                    advisory = parse_record(record)
                except (ValueError, RecordError):
                    self.skipped += 1
                    continue
                keys = set()
                for affected in record.get("affected") or ():
                    package = affected.get("package") or {}
                    ecosystem = _ECOSYSTEMS.get(str(package.get("ecosystem", "")).split(":", 1)[0])
                    if ecosystem is not None and package.get("name"):
                        keys.add((ecosystem.value, normalize_name(ecosystem, str(package["name"]))))
                if not keys:
                    continue
                db.execute("INSERT OR REPLACE INTO record VALUES (?, ?)",
                           (record["id"], json.dumps(to_row(advisory), separators=(",", ":"))))
                db.executemany("INSERT INTO affected VALUES (?, ?, ?)", [(e, n, record["id"]) for e, n in keys])
            db.execute("CREATE INDEX affected_key ON affected (ecosystem, name)")
            db.commit()
        finally:
            db.close()
        os.replace(temp, self.index_path)

    def _db(self) -> sqlite3.Connection:
        if self._connection is None:
            self.ensure_index()
            self._connection = sqlite3.connect(f"file:{self.index_path}?mode=ro", uri=True)
        return self._connection

    def advisories(self, packages: Sequence[Package]) -> Mapping[tuple[Ecosystem, str], Sequence[Advisory]]:
        db = self._db()
        found: dict[tuple[Ecosystem, str], list[Advisory]] = {}
        for key in sorted({p.key for p in packages}):
            rows = db.execute(
                "SELECT record.id, record.json FROM affected JOIN record ON record.id = affected.id "
                "WHERE affected.ecosystem = ? AND affected.name = ? ORDER BY record.id",
                (key[0].value, key[1]),
            ).fetchall()
            advisories = []
            for vuln_id, text in rows:
                if vuln_id not in self._parsed:
                    self._parsed[vuln_id] = from_row(json.loads(text))
                advisories.append(self._parsed[vuln_id])
            if advisories:
                found[key] = advisories
        return found
