"""A real HTTP service exporter for the tests, built with prometheus_client.

It serves ``http_requests_total{code}`` and the ``http_request_duration_seconds`` histogram,
fed by a background thread that "handles" requests; tests switch its error ratio and latency.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ServiceExporter:
    """Simulated traffic of ``rps`` requests per second with a switchable error ratio and latency."""

    def __init__(self, rps: int = 50) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("http_requests", "Requests by status code.", ["code"], registry=self.registry)
        self.latency = Histogram(
            "http_request_duration_seconds",
            "Request latency.",
            buckets=(0.05, 0.1, 0.3, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.rps = rps
        self.error_ratio = 0.0
        self.latency_seconds = 0.02
        self._stop = threading.Event()
        self._server: Any = None
        self._thread = threading.Thread(target=self._traffic, daemon=True)
        self.port = 0

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _traffic(self) -> None:
        tick = 0.1
        per_tick = max(1, round(self.rps * tick))
        owed = 0.0  # fractional errors carried over, so small ratios are exact on average
        while not self._stop.wait(tick):
            owed += per_tick * self.error_ratio
            errors = min(per_tick, int(owed))
            owed -= errors
            self.requests.labels(code="500").inc(errors)
            self.requests.labels(code="200").inc(per_tick - errors)
            for _ in range(per_tick):
                self.latency.observe(self.latency_seconds)

    def start(self) -> ServiceExporter:
        self.requests.labels(code="200")
        self.requests.labels(code="500")
        self._server, _ = start_http_server(0, addr="127.0.0.1", registry=self.registry)
        self.port = int(self._server.server_port)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
