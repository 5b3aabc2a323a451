"""``opskit monitor``: options only."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from opskit.core.command import Output, emit, opskit_command
from opskit.core.lazy import lazy_module
from opskit.monitor.interface import PARTS, GateRound, GateSettings
from opskit.monitor.inventory import Scope

if TYPE_CHECKING:
    from opskit.monitor import api, render
    from opskit.monitor.lint import api as lint_api
    from opskit.monitor.lint import cli_options as lint_options
else:  # requests, prometheus-api-client, promql-parser and rich only when a command runs
    api, render = lazy_module("opskit.monitor.api"), lazy_module("opskit.monitor.render")
    lint_api, lint_options = lazy_module("opskit.monitor.lint.api"), lazy_module("opskit.monitor.lint.cli_options")

_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def connection_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--url and the credentials/TLS/timeout options, folded into one ``connection`` argument."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        kwargs["connection"] = api.Connection(
            url=kwargs.pop("url") or "",
            token_env=kwargs.pop("token_env"),
            token_file=kwargs.pop("token_file"),
            username=kwargs.pop("username"),
            password_env=kwargs.pop("password_env"),
            ca_bundle=kwargs.pop("ca_bundle"),
            verify=not kwargs.pop("insecure"),
            timeout=kwargs.pop("timeout"),
        )
        return func(**kwargs)

    options = [
        click.option(
            "--url", metavar="URL", envvar="PROMETHEUS_URL", help="Prometheus base URL (or $PROMETHEUS_URL, or config)."
        ),
        click.option("--token-env", metavar="VAR", help="Bearer token from this environment variable."),
        click.option("--token-file", type=_FILE, help="Bearer token from this file."),
        click.option("--username", help="Basic auth user; the password comes from --password-env."),
        click.option(
            "--password-env",
            metavar="VAR",
            default="PROMETHEUS_PASSWORD",
            show_default=True,
            help="Environment variable holding the basic auth password.",
        ),
        click.option("--ca-bundle", type=_FILE, help="CA certificates to verify the server's TLS certificate."),
        click.option("--insecure", is_flag=True, help="Do not verify TLS certificates (not recommended)."),
        click.option(
            "--timeout", type=float, default=10.0, show_default=True, help="Seconds to wait for each request."
        ),
    ]
    decorated: Any = wrapper
    for option in reversed(options):
        decorated = option(decorated)
    return decorated


@click.group()
def monitor() -> None:
    """Prometheus and Alertmanager health, service SLO checks, rule linting and the deploy gate.

    \b
    Examples:
      opskit monitor check --url http://127.0.0.1:9090 --checks checks.yml
      opskit monitor gate --url http://127.0.0.1:9090 --checks checks.yml --count 10
      opskit monitor lint rules/ --url http://127.0.0.1:9090
    """


@monitor.command()
@click.option("--checks", type=_FILE, help="Service checks and SLOs (checks.yml).")
@click.option(
    "--only",
    multiple=True,
    type=click.Choice(PARTS),
    help="Judge only these parts (repeatable; default all; 'checks' is the --checks file).",
)
@click.option("--job", multiple=True, metavar="PATTERN", help="Only targets and alerts of these jobs.")
@click.option("--rule-group", multiple=True, metavar="PATTERN", help="Only these rule groups.")
@click.option("--alertmanager", metavar="URL", help="Also check this Alertmanager (alone when --url is not given).")
@opskit_command(config_from="checks")
@connection_options
def check(
    connection: api.Connection,
    checks: Path | None,
    only: tuple[str, ...],
    job: tuple[str, ...],
    rule_group: tuple[str, ...],
    alertmanager: str | None,
    out: Output,
) -> int:
    """Check a Prometheus server, its targets, rules and alerts, and your services' checks and SLOs.

    Exit 1 when a check fails (or, with --fail-on, a warning reaches that severity).

    \b
    Examples:
      opskit monitor check --url http://127.0.0.1:9090
      opskit monitor check --alertmanager http://127.0.0.1:9093
      opskit monitor check --url https://prom.example.com --token-env PROM_TOKEN \\
          --checks examples/monitor/checks.yml --job 'api-*' --format json
    """
    report = api.check(connection, checks, only, Scope(job, rule_group), out.show_progress, alertmanager)
    return emit(report, out, text_renderer=render.CheckTableRenderer)


@monitor.command()
@click.option("--checks", type=_FILE, required=True, help="Checks and SLOs to gate on.")
@click.option("--interval", type=float, default=10.0, show_default=True, help="Seconds between rounds.")
@click.option("--count", type=int, default=5, show_default=True, help="Rounds to run.")
@click.option("--failure-limit", type=int, default=0, show_default=True, help="Failed rounds tolerated.")
@click.option(
    "--consecutive-error-limit",
    type=int,
    default=4,
    show_default=True,
    help="Consecutive rounds with query errors tolerated.",
)
@click.option("--inconclusive-limit", type=int, default=0, show_default=True, help="Warning rounds tolerated.")
@opskit_command(config_from="checks")
@connection_options
def gate(
    connection: api.Connection,
    checks: Path,
    interval: float,
    count: int,
    failure_limit: int,
    consecutive_error_limit: int,
    inconclusive_limit: int,
    out: Output,
) -> int:
    """Repeat checks every --interval for --count rounds: successful, failed or inconclusive.

    Exit 0 when successful, 1 when failed or inconclusive.

    \b
    Example:
      opskit monitor gate --url http://127.0.0.1:9090 --checks checks.yml \\
          --interval 30 --count 10 --failure-limit 1
    """
    settings = GateSettings(interval, count, failure_limit, consecutive_error_limit, inconclusive_limit)

    def on_round(current: GateRound) -> None:
        out.log(f"round {current.number}/{count}: {current.status.value}")

    return emit(api.gate(connection, checks, settings, on_round), out, text_renderer=render.CheckTableRenderer)


@monitor.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--staged", is_flag=True, help="Report only rules changed in the git index (pre-commit).")
@click.option("--base", metavar="REV", help="Report only rules changed since the branch left REV (CI).")
@click.option("--require-label", multiple=True, metavar="NAME", help="Labels every alert needs [severity].")
@click.option(
    "--require-annotation", multiple=True, metavar="NAME", help="Annotations every alert needs [summary, runbook_url]."
)
@click.option("--scrape-interval", default="30s", show_default=True, help="Assumed scrape interval offline.")
@click.option("--evaluation-interval", default="30s", show_default=True, help="Assumed evaluation interval offline.")
@click.option("--history", default="1d", show_default=True, help="With --url: replay alerts over this long.")
@click.option("--max-series", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--max-samples", type=click.IntRange(min=1), default=5_000_000, show_default=True)
@click.option("--max-firings", type=click.IntRange(min=0), default=10, show_default=True,
              help="With --url: more firings than this over --history is flapping.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=8, show_default=True,
              help="Parallel requests to the server.")
@opskit_command(config_from="paths")
@connection_options
def lint(connection: api.Connection, paths: tuple[Path, ...], out: Output, **options: Any) -> int:
    """Lint Prometheus alerting and recording rules; with --url also against the live server.

    PATHS are rule files or directories (Prometheus rule files, Kubernetes PrometheusRule objects,
    or any YAML with a 'groups' list). Exit 1 with --fail-on when a finding reaches that severity.

    \b
    Examples:
      opskit monitor lint examples/monitor/rules.yml
      opskit monitor lint rules/ --url http://127.0.0.1:9090 --history 7d --fail-on high
      opskit monitor lint rules/ --base origin/main --format sarif -o lint.sarif
    """
    request = lint_options.lint_request(paths, options)
    client = connection.open() if connection.url else None
    return emit(lint_api.lint(request, client), out)
