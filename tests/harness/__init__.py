"""Real services on loopback for opskit's tests: ``python -m tests.harness up|down|status``.

See docs/harness.md. Standard library only.
"""

from tests.harness.services import (
    SERVICES,
    Prometheus,
    ServiceError,
    ServiceUnavailable,
    build_busybox_image,
    down,
    load_state,
    reload_prometheus,
    services_dir,
    spawn_alertmanager,
    spawn_prometheus,
    start,
    status,
    stop,
    up,
)

__all__ = [
    "SERVICES",
    "Prometheus",
    "ServiceError",
    "ServiceUnavailable",
    "build_busybox_image",
    "down",
    "load_state",
    "reload_prometheus",
    "services_dir",
    "spawn_alertmanager",
    "spawn_prometheus",
    "start",
    "status",
    "stop",
    "up",
]
