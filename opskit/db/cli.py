"""``opskit db``: options only."""

from __future__ import annotations

import click


@click.group()
def db() -> None:
    """PostgreSQL tools for DBAs: index suggestions from query logs."""
