"""How to reach Prometheus (and Alertmanager): URL, credentials by name, TLS and timeout.

Plain data shared by ``opskit monitor`` and ``opskit deploy``'s gate, importable without the HTTP
libraries (so ``--help`` stays fast); ``open()`` builds the client.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from opskit.core.errors import UsageError

if TYPE_CHECKING:
    from opskit.monitor.alertmanager.client import AlertmanagerClient
    from opskit.monitor.interface import PrometheusClient


@dataclass(frozen=True)
class Connection:
    """How to reach Prometheus; secrets are named (env var, file), never given inline."""

    url: str
    token_env: str | None = None
    token_file: Path | None = None
    username: str | None = None
    password_env: str = "PROMETHEUS_PASSWORD"
    ca_bundle: Path | None = None
    verify: bool = True
    timeout: float = 10.0

    def alertmanager(self, url: str) -> AlertmanagerClient:
        """A client for the Alertmanager at ``url`` with these credentials and TLS options."""
        from opskit.monitor.alertmanager.client import AlertmanagerClient

        return AlertmanagerClient(
            url,
            token_env=self.token_env,
            token_file=self.token_file,
            basic_auth=self._basic_auth(),
            ca_bundle=self.ca_bundle,
            verify=self.verify,
            timeout=self.timeout,
        )

    def _basic_auth(self) -> tuple[str, str] | None:
        if not self.username:
            return None
        password = os.environ.get(self.password_env)
        if password is None:
            raise UsageError(f"--username needs the password in environment variable {self.password_env}")
        return (self.username, password)

    def open(self) -> PrometheusClient:
        if not self.url:
            raise UsageError("give --url, set $PROMETHEUS_URL, or set url in the [tool.opskit.monitor] config")
        basic_auth = self._basic_auth()
        if self.timeout <= 0:
            raise UsageError(f"--timeout must be positive, not {self.timeout:g}")
        from opskit.monitor.client import connect  # requests and prometheus-api-client: only when used

        return connect(
            self.url,
            token_env=self.token_env,
            token_file=self.token_file,
            basic_auth=basic_auth,
            ca_bundle=self.ca_bundle,
            verify=self.verify,
            timeout=self.timeout,
        )
