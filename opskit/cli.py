"""The opskit command line: parses options and hands off to each job's package.

Each job's package is imported only when its command runs, so ``opskit monitor`` does not pay
for importing docker, psycopg and bandit.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from opskit import __version__
from opskit.core.command import OpskitGroup

# command name -> (module, attribute, one-line help shown by ``opskit --help``)
COMMANDS = {
    "audit": ("opskit.audit.cli", "audit", "Find hardcoded secrets and OWASP Top 10 issues in code and config."),
    "db": ("opskit.db.cli", "db", "PostgreSQL index advice from query logs, and unused indexes."),
    "deploy": ("opskit.deploy.cli", "deploy", "Build, push, apply with Terraform, verify and roll back a service."),
    "monitor": ("opskit.monitor.cli", "monitor", "Prometheus health and service SLO checks, and the deploy gate."),
}


class LazyGroup(OpskitGroup):
    """Loads a subcommand's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: Any) -> None:
        rows = [(name, COMMANDS[name][2]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
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
      opskit deploy --playbook playbooks/demo-local.yml --env staging
      opskit monitor check --url http://127.0.0.1:9090

    Exit codes: 0 clean, 1 findings at or above --fail-on (or a failed gate or deploy),
    2 usage, config or input error, 3 an external service or tool unreachable or failing,
    4 internal error.
    """


def main() -> None:
    cli.main()
