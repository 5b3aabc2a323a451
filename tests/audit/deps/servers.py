"""Local HTTP servers standing in for the internet: the OSV API, osv.dev's exports, PyPI and npm.

The OSV server speaks the real API (``POST /v1/querybatch`` with paging, ``GET /v1/vulns/ID``,
and ``POST /v1/query`` answering full records, as pip-audit uses it) over OSV records; which
records affect a queried version it decides with opskit's own matcher, as osv.dev decides with
its own. The registry server answers PyPI's JSON API (``/pypi/NAME/json``) and npm registry
documents (``/NAME``) from dictionaries.
"""

from __future__ import annotations

import io
import json
import threading
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from opskit.audit.deps.interface import Ecosystem, Package
from opskit.audit.deps.osv.matching import matches
from opskit.audit.deps.osv.record import parse_record

OSV_RECORDS = Path(__file__).resolve().parents[3] / "examples" / "osv"
PAGE_SIZE = 2  # small, so the client's paging is exercised


def load_records(root: Path = OSV_RECORDS) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in sorted(root.rglob("*.json"))}


def all_zips(records: Mapping[str, Mapping[str, Any]]) -> dict[str, bytes]:
    """osv.dev's export layout: one ``<ecosystem>/all.zip`` of ``<ID>.json`` files."""
    zips: dict[str, io.BytesIO] = {}
    for vuln_id, record in records.items():
        ecosystem = record["affected"][0]["package"]["ecosystem"]
        buffer = zips.setdefault(ecosystem, io.BytesIO())
        with zipfile.ZipFile(buffer, "a") as archive:
            archive.writestr(f"{vuln_id}.json", json.dumps(record))
    return {eco: buffer.getvalue() for eco, buffer in zips.items()}


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep test output quiet
        pass

    def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802
        self.server.hits.append(("GET", self.path))  # type: ignore[attr-defined]
        status, body = self.server.app.get(self.path)  # type: ignore[attr-defined]
        self._send(status, body)

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length", "0"))
        payload = json.loads(self.rfile.read(length) or b"{}")
        self.server.hits.append(("POST", self.path))  # type: ignore[attr-defined]
        status, body = self.server.app.post(self.path, payload)  # type: ignore[attr-defined]
        self._send(status, body)


class OsvApp:
    def __init__(self, records: Mapping[str, Mapping[str, Any]]) -> None:
        self.raw = dict(records)
        self.parsed = {vuln_id: parse_record(r) for vuln_id, r in records.items()}
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for vuln_id, advisory in sorted(self.parsed.items()):
            for affected in advisory.affected:
                key = Package(Ecosystem(affected.ecosystem), affected.name, "0").key
                self.by_name.setdefault((key[0].value, key[1]), []).append(vuln_id)
        self._zips: dict[str, bytes] | None = None

    @property
    def zips(self) -> dict[str, bytes]:
        if self._zips is None:
            self._zips = all_zips(self.raw)
        return self._zips

    def _hits(self, query: Mapping[str, Any]) -> list[str]:
        package = Package(Ecosystem(query["package"]["ecosystem"]), query["package"]["name"], query["version"])
        candidates = self.by_name.get((package.key[0].value, package.key[1]), [])
        return [i for i in candidates if matches(self.parsed[i], package)]

    def get(self, path: str) -> tuple[int, bytes]:
        if path.startswith("/v1/vulns/"):
            record = self.raw.get(path.rsplit("/", 1)[-1])
            return (200, json.dumps(record).encode()) if record else (404, b'{"code":5,"message":"Bug not found."}')
        ecosystem, _, name = path.strip("/").partition("/")
        if name == "all.zip" and ecosystem in self.zips:
            return 200, self.zips[ecosystem]
        return 404, b"{}"

    def post(self, path: str, payload: Mapping[str, Any]) -> tuple[int, bytes]:
        if path == "/v1/query":
            return 200, json.dumps({"vulns": [self.raw[i] for i in self._hits(payload)]}).encode()
        if path != "/v1/querybatch":
            return 404, b"{}"
        results = []
        for query in payload.get("queries", []):
            hits = self._hits(query)
            start = int(query.get("page_token") or 0)
            page = hits[start:start + PAGE_SIZE]
            result: dict[str, Any] = {"vulns": [{"id": i, "modified": self.raw[i]["modified"]} for i in page]}
            if start + PAGE_SIZE < len(hits):
                result["next_page_token"] = str(start + PAGE_SIZE)
            results.append(result if page else {})
        return 200, json.dumps({"results": results}).encode()


class RegistryApp:
    """PyPI's ``/pypi/NAME/json`` and npm's ``/NAME`` documents."""

    def __init__(self, pypi: Mapping[str, Any], npm: Mapping[str, Any]) -> None:
        self.pypi, self.npm = pypi, npm

    def get(self, path: str) -> tuple[int, bytes]:
        parts = path.strip("/").split("/")
        if parts[0] == "pypi" and len(parts) == 3 and parts[1] in self.pypi:
            return 200, json.dumps(self.pypi[parts[1]]).encode()
        name = path.strip("/").replace("%2F", "/").replace("%2f", "/")
        if name in self.npm:
            return 200, json.dumps(self.npm[name]).encode()
        return 404, b'{"error":"Not found"}'

    def post(self, path: str, payload: Any) -> tuple[int, bytes]:
        return 405, b"{}"


@contextmanager
def serve(app: Any) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """Run ``app`` on a free loopback port; yields (base URL, list of requests seen)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.app = app  # type: ignore[attr-defined]
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", server.hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
