"""requests' transport with a deadline on the whole request and a cap on the body, for the Prometheus client.

requests' ``timeout`` bounds each socket read, so a server dripping a byte every 0.9 s can hold a
3 s timeout for minutes, and it reads any body whole (a 1 GiB answer, a gzip bomb, an endless
chunked stream). ``BoundedAdapter`` fixes both for every request of a session, whichever library
sends it (prometheus-api-client included): a timer shuts the request's sockets down when the
deadline passes (connect, retries, headers and body all count), and the body is read here in
chunks, decompressed incrementally (urllib3 bounds each decompression step) and refused past
``max_bytes``.
"""

from __future__ import annotations

import socket
import threading
from contextlib import suppress
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

MAX_ANSWER_BYTES = 64 * 1024 * 1024
"""Largest (decompressed) answer accepted; /api/v1/targets of 10,000 targets is about 15 MB."""
_CHUNK = 64 * 1024


class DeadlineExceeded(requests.exceptions.Timeout):
    """The whole request (connect, retries, headers, body) took longer than its deadline."""


class AnswerTooLarge(requests.exceptions.RequestException):
    """The body (after decompression) is larger than the adapter accepts."""


class _Watch:
    """The connections of one request in flight; ``fire`` shuts their sockets down."""

    def __init__(self) -> None:
        self.connections: list[Any] = []
        self.fired = False
        self._lock = threading.Lock()

    def add(self, connection: Any) -> None:
        with self._lock:
            self.connections.append(connection)
            if self.fired:
                self._shut(connection)

    def fire(self) -> None:
        with self._lock:
            self.fired = True
            for connection in self.connections:
                self._shut(connection)

    @staticmethod
    def _shut(connection: Any) -> None:
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


_CURRENT = threading.local()


class _Registers:
    """Mixed into urllib3's connections: each request registers its connection with this thread's watch."""

    def request(self, *args: Any, **kwargs: Any) -> None:
        watch = getattr(_CURRENT, "watch", None)
        if watch is not None:
            watch.add(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


class _WatchedHTTPConnection(_Registers, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Registers, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


class BoundedAdapter(HTTPAdapter):
    """An HTTPAdapter whose every request ends within ``deadline`` seconds with at most ``max_bytes`` read."""

    def __init__(self, deadline: float, max_bytes: int | None = None, **kwargs: Any) -> None:
        self.deadline = deadline
        self.max_bytes = MAX_ANSWER_BYTES if max_bytes is None else max_bytes
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def send(self, request: requests.PreparedRequest, stream: bool = False, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        watch = _Watch()
        _CURRENT.watch = watch
        timer = threading.Timer(self.deadline, watch.fire)
        timer.daemon = True
        timer.start()
        try:
            response = super().send(request, stream=True, **kwargs)
            try:
                response._content = self._read(response)  # noqa: SLF001 - what requests' .content would hold
            finally:
                response.close()
            return response
        except Exception as exc:
            if watch.fired and not isinstance(exc, AnswerTooLarge):
                raise DeadlineExceeded(f"no complete answer within {self.deadline:g}s") from None
            raise
        finally:
            timer.cancel()
            _CURRENT.watch = None

    def _read(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise AnswerTooLarge(f"answer of {declared} bytes, more than the {self.max_bytes} accepted")
        body = bytearray()
        chunks = response.raw.stream(_CHUNK, decode_content=True)
        while len(body) <= self.max_bytes:
            try:
                chunk = next(chunks, None)
            except (urllib3.exceptions.HTTPError, OSError) as exc:
                raise requests.exceptions.ConnectionError(f"answer cut off: {type(exc).__name__}") from None
            if chunk is None:
                return bytes(body)
            body += chunk
        raise AnswerTooLarge(f"answer larger than the {self.max_bytes} bytes accepted")
