"""A local HTTP server that plays a Prometheus and then misbehaves on one endpoint, as a hostile tester would.

Every endpoint answers like a tiny healthy Prometheus unless ``routes`` overrides it with a
``Behaviour``: a status and body, a body dripped byte by byte, a body without end, a gzip bomb.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Behaviour = Callable[[BaseHTTPRequestHandler], None]

VECTOR_ONE = {"resultType": "vector", "result": [{"metric": {"job": "prometheus"}, "value": [1700000000.0, "1"]}]}
HEALTHY: dict[str, Any] = {
    "/api/v1/status/buildinfo": {"version": "2.45.0", "revision": "r", "goVersion": "go1.21"},
    "/api/v1/status/runtimeinfo": {"reloadConfigSuccess": True, "corruptionCount": 0, "startTime": "x"},
    "/api/v1/targets": {"activeTargets": [{"labels": {"job": "api"}, "health": "up", "lastScrape": "x"}]},
    "/api/v1/rules": {"groups": [{"name": "g", "file": "g.yml", "rules": [{"name": "r", "health": "ok"}]}]},
    "/api/v1/alerts": {"alerts": []},
    "/api/v1/query": VECTOR_ONE,
    "/api/v1/query_range": {"resultType": "matrix", "result": []},
}


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    fields = {"Content-Type": "application/json", "Content-Length": str(len(body)), **(headers or {})}
    for name, value in fields.items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def answer(status: int, doc: Any) -> Behaviour:
    """A fixed answer: ``doc`` as JSON (or raw bytes/str as they are)."""
    body = doc if isinstance(doc, bytes) else doc.encode() if isinstance(doc, str) else json.dumps(doc).encode()
    return lambda handler: send(handler, status, body)


def success(data: Any) -> Behaviour:
    return answer(200, {"status": "success", "data": data})


def drip(interval: float, headers_too: bool = False) -> Behaviour:
    """One byte every ``interval`` seconds, below any per-read timeout, for as long as the client listens."""

    def behave(handler: BaseHTTPRequestHandler) -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
        payload = (head if headers_too else b"") + b'{"status": "success", "data": ' + b" " * 100000
        if not headers_too:
            handler.wfile.write(head)
        sent = 0
        try:
            for byte in payload:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                sent += 1
                time.sleep(interval)
        except OSError:
            pass
        finally:
            DRIPPED.append(sent)

    return behave


def endless_chunks() -> Behaviour:
    """A chunked body that never ends."""

    def behave(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        chunk = b" " * 65536
        try:
            while True:
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except OSError:
            pass

    return behave


def huge_body(size: int) -> Behaviour:
    """``size`` bytes of JSON-ish whitespace, announced or not, streamed without keeping them in memory."""

    def behave(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Connection", "close")
        handler.end_headers()
        block = b" " * (1 << 20)
        try:
            for _ in range(size >> 20):
                handler.wfile.write(block)
        except OSError:
            pass

    return behave


def gzip_bomb(expanded: int) -> Behaviour:
    """A gzip-encoded body that expands to ``expanded`` bytes (about 1000:1)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    block = b" " * (1 << 20)
    body = b"".join(compressor.compress(block) for _ in range(expanded >> 20)) + compressor.flush()
    return lambda handler: send(handler, 200, body, {"Content-Encoding": "gzip"})


@dataclass
class Hostile:
    """The running server: its URL and the per-endpoint overrides (``/api/v1/query?query=...`` too)."""

    url: str
    routes: dict[str, Behaviour] = field(default_factory=dict)


DRIPPED: list[int] = []
"""Bytes each drip behaviour sent before the client hung up."""


def _handler(server: Hostile) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = parse_qs(parts.query).get("query", [""])[0]
            behaviour = server.routes.get(f"{parts.path}?{query}") or server.routes.get(parts.path)
            if behaviour is not None:
                behaviour(self)
            elif parts.path in HEALTHY:
                success(HEALTHY[parts.path])(self)
            elif parts.path in ("/-/healthy", "/-/ready"):
                send(self, 200, b"ok", {"Content-Type": "text/plain"})
            else:
                send(self, 404, b"404 page not found", {"Content-Type": "text/plain"})

        do_POST = do_GET

    return Handler


@contextmanager
def hostile_server() -> Iterator[Hostile]:
    hostile = Hostile(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hostile))
    server.daemon_threads = True
    hostile.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield hostile
    finally:
        server.shutdown()
        server.server_close()
