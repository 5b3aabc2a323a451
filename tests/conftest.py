"""Shared pytest fixtures: the ONE place tests get real services from.

Every service fixture is session-scoped. If ``scripts/services.sh up`` already
started a service (it answers), the fixture reuses it; otherwise the fixture
starts it through ``tests.harness`` (installing Debian packages if needed) and
stops what it started when the session ends. A service that cannot be had
fails the test with ``CI=true`` (never a silent skip in CI) and skips it
otherwise, with the reason either way.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import harness

MARKERS = {
    "postgres": "needs the real PostgreSQL 15 (+HypoPG, pg_stat_statements) service",
    "prometheus": "needs the real Prometheus service",
    "alertmanager": "needs the real Alertmanager service",
    "docker": "needs the real Docker engine and local registry",
    "terraform": "needs terraform with the local AWS provider mirror",
    "aws": "needs the moto AWS emulator",
    "mariadb": "needs the real MariaDB server (MySQL dialect)",
}


def pytest_configure(config: pytest.Config) -> None:
    for name, help_text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {help_text}")


class ServicePool:
    """Hands out services for the session and remembers which ones it started itself."""

    def __init__(self) -> None:
        self.started: list[str] = []

    def get(self, name: str) -> dict[str, str]:
        """Facts of service ``name`` (see docs/harness.md), starting it if it doesn't answer."""
        try:
            facts, started = harness.start(name)
        except harness.ServiceError as exc:
            reason = f"service {name!r} unavailable: {exc}"
        else:
            if started:
                self.started.append(name)
            return facts
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)

    def stop_started(self) -> None:
        for name in reversed(self.started):
            harness.stop(name)


@pytest.fixture(scope="session")
def service_pool() -> Iterator[ServicePool]:
    pool = ServicePool()
    yield pool
    pool.stop_started()


@pytest.fixture(scope="session")
def services(service_pool: ServicePool) -> dict[str, dict[str, str]]:
    """All services' facts, by service name (the content of services.json)."""
    return {name: service_pool.get(name) for name in harness.SERVICES}


@pytest.fixture(scope="session")
def pg_dsn(service_pool: ServicePool) -> str:
    """``postgresql://postgres:opskit-test-pw@127.0.0.1:55432/opskit`` (superuser, scram auth)."""
    return service_pool.get("postgres")["dsn"]


@pytest.fixture(scope="session")
def prometheus(service_pool: ServicePool) -> harness.Prometheus:
    """The running Prometheus: url, rules_dir, targets_dir, reload(), wait_for_job(job)."""
    facts = service_pool.get("prometheus")
    return harness.Prometheus(
        url=facts["url"],
        config_dir=Path(facts["config_dir"]),
        rules_dir=Path(facts["rules_dir"]),
        targets_dir=Path(facts["targets_dir"]),
    )


@pytest.fixture(scope="session")
def alertmanager(service_pool: ServicePool) -> dict[str, str]:
    """The running Alertmanager: ``url`` (http://127.0.0.1:59093) and ``config_file``."""
    return service_pool.get("alertmanager")


@pytest.fixture(scope="session")
def docker_host(service_pool: ServicePool) -> str:
    """``unix://.../docker.sock`` of our own dockerd; pass it as DOCKER_HOST."""
    return service_pool.get("docker")["docker_host"]


@pytest.fixture(scope="session")
def container_network(service_pool: ServicePool) -> str:
    """Network mode containers must use with our dockerd (``"host"``: no bridge here)."""
    return service_pool.get("docker")["container_network"]


@pytest.fixture(scope="session")
def registry(service_pool: ServicePool) -> str:
    """``127.0.0.1:55000``: a plain-HTTP registry docker may push to without extra config."""
    return service_pool.get("registry")["registry"]


@pytest.fixture(scope="session")
def terraform_env(service_pool: ServicePool) -> dict[str, str]:
    """Env vars to run terraform with: the local provider mirror config, automation mode, the binary."""
    facts = service_pool.get("terraform")
    return {
        "TF_CLI_CONFIG_FILE": facts["tf_cli_config_file"],
        "TF_IN_AUTOMATION": "1",
        "TERRAFORM_BIN": facts["terraform_bin"],
    }


@pytest.fixture(scope="session")
def aws_endpoint(service_pool: ServicePool) -> str:
    """``http://127.0.0.1:55500``: moto's endpoint for every AWS service (any credentials work)."""
    return service_pool.get("moto")["aws_endpoint"]


@pytest.fixture(scope="session")
def mariadb(service_pool: ServicePool) -> dict[str, str]:
    """MariaDB facts: host, port (55306), user, password, database; talk to it with the mariadb client."""
    return service_pool.get("mariadb")
