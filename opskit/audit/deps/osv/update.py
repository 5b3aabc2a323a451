"""``--update-db DIR``: download osv.dev's per-ecosystem ``all.zip`` exports for offline use."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import requests

from opskit.audit.deps.interface import Ecosystem
from opskit.audit.deps.osv.http import NotFound, fetch
from opskit.core.atomic import atomic_write
from opskit.core.errors import ServiceError

EXPORT_URL = "https://osv-vulnerabilities.storage.googleapis.com"


def update_db(directory: Path, base_url: str = EXPORT_URL, timeout: float = 120.0, retries: int = 2) -> list[str]:
    """Write ``DIR/<ecosystem>/all.zip`` for every supported ecosystem; one line per file written."""
    session = requests.Session()
    written = []
    for ecosystem in Ecosystem:
        url = f"{base_url.rstrip('/')}/{ecosystem.value}/all.zip"
        try:
            data = fetch(session, "GET", url, what="OSV export", timeout=timeout, retries=retries).content
        except NotFound:
            raise ServiceError(f"OSV export {url}: HTTP 404") from None
        try:
            count = sum(1 for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".json"))
        except zipfile.BadZipFile:
            raise ServiceError(f"OSV export {url}: not a zip file") from None
        target = directory / ecosystem.value / "all.zip"
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(target, data)
        written.append(f"{target}: {count} records")
    return written
