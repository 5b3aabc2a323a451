"""The one adapter to an Alertmanager: GET its v2 API, health and /metrics with the same credentials,
CA bundle and timeout options as the Prometheus client; every failure one line naming the endpoint."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from opskit.core.errors import ServiceError
from opskit.monitor.client import failures_as_service_errors, read_token, split_credentials
from opskit.monitor.transport import BoundedAdapter


class AlertmanagerClient:
    def __init__(
        self,
        url: str,
        *,
        token_env: str | None = None,
        token_file: Path | None = None,
        basic_auth: tuple[str, str] | None = None,
        ca_bundle: Path | None = None,
        verify: bool = True,
        timeout: float = 10.0,
    ) -> None:
        plain, basic_auth = split_credentials(url, basic_auth)
        self.url = plain.rstrip("/")
        token = read_token(token_env, token_file)
        self._secrets = [s for s in (token, basic_auth[1] if basic_auth else None) if s]
        self._session = requests.Session()
        self._verify: bool | str = str(ca_bundle) if ca_bundle else verify
        if token:
            self._session.headers["Authorization"] = f"Bearer {token}"
        if basic_auth:
            self._session.auth = basic_auth
        self._timeout = timeout
        bounded = BoundedAdapter(deadline=timeout)  # one deadline per request, a cap on every body
        for prefix in ("http://", "https://"):
            self._session.mount(prefix, bounded)

    def get(self, path: str) -> requests.Response:
        where = f"{self.url}{path}"
        with failures_as_service_errors(where, self._timeout, self._secrets, server="Alertmanager"):
            resp = self._session.get(where, timeout=self._timeout, verify=self._verify)
        if resp.status_code in (401, 403):
            raise ServiceError(f"{where}: {resp.status_code} (check the token or basic auth credentials)")
        return resp

    def json(self, path: str) -> Any:
        resp = self.get(path)
        if resp.status_code != 200:
            raise ServiceError(f"{self.url}{path}: HTTP {resp.status_code}")
        try:
            return resp.json()
        except ValueError:
            raise ServiceError(f"{self.url}{path}: answer is not JSON (is this an Alertmanager?)") from None
