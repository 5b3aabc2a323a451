"""``opskit monitor``: options only."""

from __future__ import annotations

import click


@click.group()
def monitor() -> None:
    """Prometheus health and service SLO checks for on-call and CI."""
