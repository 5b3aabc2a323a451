"""``opskit db``: options only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from opskit.core.command import Output, emit, opskit_command
from opskit.core.lazy import lazy_module
from opskit.db.interface import WorkloadRequest
from opskit.db.logs import FORMATS
from opskit.db.render import IndexReportRenderer
from opskit.db.select import Budget
from opskit.db.units import parse_size

if TYPE_CHECKING:
    from opskit.db import api
else:
    api = lazy_module("opskit.db.api")  # psycopg only when a command runs

DSN_HELP = "PostgreSQL DSN (postgresql://user:pw@host:port/db); also from $OPSKIT_DSN."


@click.group()
def db() -> None:
    """PostgreSQL tools for DBAs: index suggestions from query logs, and unused indexes.

    \b
    Examples:
      opskit db suggest-indexes postgresql.log --dsn postgresql://dba@db/shop
      opskit db suggest-indexes postgresql.log.gz --schema schema.sql
      opskit db unused-indexes --dsn postgresql://dba@db/shop
    """


@db.command("suggest-indexes")
@click.argument("logs", nargs=-1)
@click.option("--dsn", envvar="OPSKIT_DSN", help=DSN_HELP)
@click.option("--schema", type=click.Path(dir_okay=False), help="pg_dump -s (or mysqldump --no-data) output (offline).")
@click.option("--input-format", type=click.Choice(FORMATS), help="Log format (default: detected).")
@click.option("--log-prefix", help="The server's log_line_prefix, when auto-detection is not enough.")
@click.option("--from-pg-stat-statements", is_flag=True, help="Read the workload from pg_stat_statements.")
@click.option(
    "--min-calls", type=click.IntRange(min=1), default=1, show_default=True, help="Skip rarer queries."
)
@click.option(
    "--min-time",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Skip queries with less total time (ms).",
)
@click.option(
    "--max-indexes",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="At most this many indexes.",
)
@click.option("--max-size", help="Budget for all new indexes together, e.g. 500MB (validated runs).")
@click.option(
    "--min-improvement",
    type=click.FloatRange(0.0, 1.0),
    default=0.01,
    show_default=True,
    help="Share of the workload's remaining time (with the indexes already chosen) a next index must save.",
)
@click.option(
    "--max-regression",
    type=click.FloatRange(0.0, 1.0),
    default=0.1,
    show_default=True,
    help="How much dearer one query may get when the workload as a whole gains (each is listed).",
)
@click.option("--create", is_flag=True, help="Build the chosen indexes (CONCURRENTLY) on --dsn.")
@click.option(
    "--lock-timeout",
    type=click.IntRange(min=1),
    default=5000,
    show_default=True,
    help="Lock timeout (ms) for --create.",
)
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), help="Processes for reading large logs (default: all cores)."
)
@opskit_command(config_from="logs")
def suggest_indexes(
    logs: tuple[str, ...],
    dsn: str | None,
    schema: str | None,
    input_format: str | None,
    log_prefix: str | None,
    from_pg_stat_statements: bool,
    min_calls: int,
    min_time: float,
    max_indexes: int,
    max_size: str | None,
    min_improvement: float,
    max_regression: float,
    create: bool,
    lock_timeout: int,
    jobs: int | None,
    out: Output,
) -> int:
    """Indexes that save the most query time, from PostgreSQL logs or pg_stat_statements.

    Reads stderr/csvlog/jsonlog server logs, pg_stat_statements exports, MySQL slow logs and .sql
    files (gzip/bz2/xz too, - for stdin). With --dsn every candidate is priced with HypoPG on the
    live database; without it the ranking is a heuristic over --schema, labelled unvalidated.

    \b
    Examples:
      opskit db suggest-indexes postgresql.log --schema schema.sql
      opskit db suggest-indexes postgresql-*.log.gz --dsn postgresql://dba@db1/shop -v
      opskit db suggest-indexes --dsn "$DSN" --from-pg-stat-statements --max-indexes 3 --create
    """
    request = api.AdviceRequest(
        workload=WorkloadRequest(
            logs=logs,
            input_format=input_format,
            log_prefix=log_prefix,
            from_pg_stat_statements=from_pg_stat_statements,
            min_calls=min_calls,
            min_time_ms=min_time,
            jobs=jobs,
        ),
        dsn=dsn,
        schema_path=schema,
        budget=Budget(
            max_indexes=max_indexes,
            max_size=parse_size(max_size) if max_size else None,
            min_improvement=min_improvement,
            regression_tolerance=max_regression,
        ),
        create=create,
        lock_timeout_ms=lock_timeout,
    )
    return emit(api.suggest_indexes(request, out), out, text_renderer=IndexReportRenderer)


@db.command("unused-indexes")
@click.option("--dsn", envvar="OPSKIT_DSN", required=True, help=DSN_HELP)
@click.option(
    "--min-size", default="0", show_default=True, help="Only report unused indexes at least this big."
)
@opskit_command()
def unused_indexes(dsn: str, min_size: str, out: Output) -> int:
    """Unused, duplicate and prefix-redundant indexes, with their size and a DROP statement.

    \b
    Example:
      opskit db unused-indexes --dsn postgresql://dba@db1/shop --min-size 10MB
    """
    return emit(api.unused_indexes(dsn, parse_size(min_size), out), out)
