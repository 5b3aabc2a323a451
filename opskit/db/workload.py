"""Step 1 of suggest-indexes: read the workload and normalise it, once.

Logs (or pg_stat_statements) become per-statement aggregates; each distinct PostgreSQL
statement is parsed once with PostgreSQL's grammar to sort out utility commands, collect the
views the workload defines itself (``CREATE VIEW ...; SELECT ...; DROP VIEW ...``) and the
relations it names, which is all the catalog read needs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from opskit.core.errors import UsageError
from opskit.core.progress import Progress
from opskit.core.redact import mask_dsn
from opskit.db import pgsql
from opskit.db.interface import QueryStats, UnparseableQuery, WorkloadRequest
from opskit.db.logs import read_workload as read_logs
from opskit.db.normalize import Aggregator

# pg_stat_statements turns ``interval '1 day'`` into ``interval $2``, which no parser accepts
_TYPED_PARAM = re.compile(
    r"(?i)\b(interval|date|time(?:stamp)?(?:tz)?(?: with(?:out)? time zone)?)\s+(\$\d+)(?!\d)"
)
_UTILITY = re.compile(
    r"(?i)\s*(?:begin|commit|rollback|end|abort|set|show|reset|vacuum|analyze|copy|deallocate|discard|listen"
    r"|unlisten|notify|start|savepoint|release|lock|alter|drop|truncate|grant|revoke|comment"
    r"|checkpoint|explain|fetch|close|declare|move|prepare|execute|call|do|refresh|reindex|cluster)\b"
)


class Dialect(StrEnum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"  # MySQL and MariaDB slow logs: understood with sqlparse, advice is heuristic


@dataclass(frozen=True)
class Workload:
    """The statements that an index could serve, heaviest first, and what was set aside."""

    queries: tuple[QueryStats, ...]
    dialect: Dialect = Dialect.POSTGRESQL
    statements: Mapping[str, str] = field(default_factory=dict)  # fingerprint -> parseable text
    views: Mapping[str, str] = field(default_factory=dict)  # CREATE VIEW in the workload: name -> SELECT
    relations: frozenset[tuple[str | None, str]] = frozenset()  # (schema, name) as written
    notes: tuple[str, ...] = ()

    def heaviest(self, count: int) -> Workload:
        return replace(self, queries=self.queries[:count])


def parseable(sql: str) -> str:
    """What PostgreSQL accepts: drivers' ``%s``, ``%(name)s`` and ``?`` as ``$n``, and ``interval $2``
    (what pg_stat_statements writes) as ``$2::interval``."""
    sql = pgsql.number_placeholders(sql)
    return _TYPED_PARAM.sub(lambda m: f"{m[2]}::{m[1]}", sql) if "$" in sql else sql


def read_workload(
    request: WorkloadRequest,
    from_pgss: Callable[[], list[QueryStats]] | None = None,
    bar: Progress | None = None,
) -> Workload:
    """Read the logs (and pg_stat_statements) and normalise the result."""
    if not request.logs and not request.from_pg_stat_statements:
        raise UsageError("give at least one LOG (or - for stdin), or --dsn with --from-pg-stat-statements")
    agg = Aggregator()
    if request.logs:
        agg = read_logs(request.logs, request.input_format, request.log_prefix, request.jobs, bar)
    if request.from_pg_stat_statements:
        if from_pgss is None:
            raise UsageError("--from-pg-stat-statements needs --dsn")
        for row in from_pgss():
            agg.add_stats(row)
    mysql = bool(agg.formats) and agg.formats <= {"mysql-slow"}
    queries = agg.results(request.min_calls, request.min_time_ms)
    workload = normalise(queries, Dialect.MYSQL if mysql else Dialect.POSTGRESQL)
    return replace(workload, notes=(*agg.notes(), *workload.notes))


def normalise(queries: Sequence[QueryStats], dialect: Dialect = Dialect.POSTGRESQL) -> Workload:
    """Keep what an index can serve; note what cannot be parsed, by file and line."""
    if dialect == Dialect.MYSQL:
        plain = [q for q in queries if not _UTILITY.match(q.sample)]
        skipped = _utility_note(len(queries) - len(plain))
        return Workload(tuple(plain), dialect, {q.fingerprint: q.sample for q in plain}, notes=skipped)
    kept: list[QueryStats] = []
    statements: dict[str, str] = {}
    views: dict[str, str] = {}
    names: set[tuple[str | None, str]] = set()
    notes: list[str] = []
    utility = 0
    for q in queries:
        sql = parseable(q.sample)
        try:
            found = pgsql.outline(sql)
        except UnparseableQuery as exc:
            notes.append(f"{q.source}:{q.line}: {exc}: {mask_dsn(' '.join(q.sample.split()))[:80]}")
            continue
        if found.view is not None:
            views[found.view[0]] = found.view[1]
        if found.kind in ("view", "utility") or not found.relations:
            utility += 1
            continue
        kept.append(q)
        statements[q.fingerprint] = sql
        names |= found.relations
    notes += _utility_note(utility)
    return Workload(tuple(kept), dialect, statements, views, frozenset(names), tuple(notes))


def _utility_note(count: int) -> tuple[str, ...]:
    if not count:
        return ()
    return (f"skipped {count} distinct statement(s) no index can serve (utility commands, no table)",)

