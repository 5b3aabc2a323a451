"""The opskit command line: parses options and hands off to each job's package."""

from __future__ import annotations

import click

from opskit import __version__
from opskit.audit.cli import audit
from opskit.core.command import OpskitGroup
from opskit.db.cli import db
from opskit.deploy.cli import deploy
from opskit.monitor.cli import monitor


@click.group(cls=OpskitGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="opskit")
@click.option("-q", "--quiet", is_flag=True, help="Only errors and the report itself.")
@click.option("-v", "--verbose", count=True, help="More detail (repeatable).")
@click.option("--no-color", is_flag=True, help="Never color output.")
@click.option("--debug", is_flag=True, help="Show a traceback on errors.")
def cli(quiet: bool, verbose: int, no_color: bool, debug: bool) -> None:
    """Backend operations and security toolkit.

    \b
    Examples:
      opskit audit .                          secrets and OWASP issues in a service
      opskit db suggest-indexes postgres.log  indexes that save the most query time
      opskit deploy --playbook playbooks/web.yml --env prod
      opskit monitor check --url http://127.0.0.1:9090

    Exit codes: 0 clean, 1 findings at or above --fail-on (or a failed gate or deploy),
    2 usage, config or input error, 3 an external service or tool unreachable or failing,
    4 internal error.
    """


cli.add_command(audit)
cli.add_command(db)
cli.add_command(deploy)
cli.add_command(monitor)


def main() -> None:
    cli.main()
