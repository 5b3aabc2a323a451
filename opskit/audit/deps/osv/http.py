"""The one HTTP helper of the deps scanner: JSON or bytes with a timeout and retries, one-line errors."""

from __future__ import annotations

import time
from typing import Any

import requests

from opskit.core.errors import ServiceError

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class NotFound(Exception):
    """HTTP 404: the registry or database does not know the thing asked for."""


def fetch(
    session: requests.Session, method: str, url: str, *, what: str, timeout: float, retries: int,
    json_body: Any = None,
) -> requests.Response:
    """The response of a 2xx request; ``NotFound`` for 404; ``ServiceError`` (exit 3) once retries are spent."""
    reason = ""
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(min(2.0, 0.25 * 2**attempt))
        try:
            response = session.request(method, url, json=json_body, timeout=timeout)
        except requests.RequestException as exc:
            reason = type(exc).__name__
            continue
        if response.status_code == 404:
            raise NotFound(url)
        if response.status_code in RETRY_STATUSES:
            reason = f"HTTP {response.status_code}"
            continue
        if response.status_code >= 400:
            raise ServiceError(f"{what} at {url}: HTTP {response.status_code}")
        return response
    raise ServiceError(f"{what} unreachable at {url} ({reason}, {retries + 1} attempts)")


def fetch_json(session: requests.Session, method: str, url: str, **kwargs: Any) -> Any:
    response = fetch(session, method, url, **kwargs)
    try:
        return response.json()
    except ValueError:
        raise ServiceError(f"{kwargs.get('what', url)} at {url}: answer is not JSON") from None
