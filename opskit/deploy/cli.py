"""``opskit deploy``: options only."""

from __future__ import annotations

import click


@click.group()
def deploy() -> None:
    """Build, push, apply with Terraform, verify and roll back a service."""
