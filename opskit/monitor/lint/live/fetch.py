"""Run Prometheus API requests in parallel through the monitor client, each distinct one once."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from opskit.core.errors import ServiceError
from opskit.monitor.interface import PrometheusClient, QueryError


@dataclass(frozen=True)
class Request:
    """``GET /api/v1/<path>?<params>``; frozen so equal requests share one answer."""

    path: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def query(cls, promql: str, **extra: str) -> Request:
        return cls("query", (("query", promql), *sorted(extra.items())))


@dataclass(frozen=True)
class Answer:
    """The ``data`` of a successful answer, or the error text of a failed one."""

    data: Any = None
    error: str | None = None

    def series(self) -> list[dict[str, Any]]:
        """The result series of a query answer; anything not shaped like one is left out."""
        result = self.data.get("result") if isinstance(self.data, dict) else None
        return [item for item in result if isinstance(item, dict)] if isinstance(result, list) else []

    def vector_count(self) -> float | None:
        """The value of a one-series answer such as ``count(x)``; 0 when empty, None on error or nonsense."""
        if self.error is not None or not isinstance(self.data, dict):
            return None
        series = self.series()
        if not series:
            return 0.0
        try:
            return float(series[0]["value"][1])
        except (KeyError, IndexError, TypeError, ValueError):
            return None


class Fetcher:
    """Answers requests from a cache, sending the missing ones ``jobs`` at a time."""

    def __init__(self, client: PrometheusClient, jobs: int = 8) -> None:
        self.client = client
        self.jobs = max(1, jobs)
        self.cache: dict[Request, Answer] = {}
        self.sent = 0

    def _one(self, request: Request) -> Answer:
        try:
            return Answer(data=self.client.api(request.path, **dict(request.params)))
        except QueryError as exc:
            return Answer(error=f"{exc.kind}: {exc.message}")
        except ServiceError as exc:
            return Answer(error=str(exc))

    def __call__(self, requests: Iterable[Request]) -> dict[Request, Answer]:
        wanted = sorted(set(requests), key=lambda r: (r.path, r.params))
        missing = [r for r in wanted if r not in self.cache]
        if missing:
            with ThreadPoolExecutor(max_workers=min(self.jobs, len(missing))) as pool:
                for request, answer in zip(missing, pool.map(self._one, missing), strict=True):
                    self.cache[request] = answer
            self.sent += len(missing)
        return {r: self.cache[r] for r in wanted}
