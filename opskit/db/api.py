"""The two db jobs end to end; the CLI calls one function here each.

suggest-indexes is one pass per step: read (workload) -> prepare -> plan (advisor) -> report.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from opskit.core.command import Output
from opskit.core.errors import UsageError
from opskit.core.findings import Report
from opskit.core.inputs import read_input_text
from opskit.core.progress import progress
from opskit.db import pgsql
from opskit.db.advisor import plan
from opskit.db.heuristic import HeuristicCostModel
from opskit.db.hypopg import HypoPGCostModel
from opskit.db.interface import Schema, UnparseableQuery
from opskit.db.pg import Database
from opskit.db.prepare import prepare
from opskit.db.report import to_report
from opskit.db.schema import parse_schema_dump
from opskit.db.select import Budget
from opskit.db.unused import unused_report
from opskit.db.workload import Dialect, Workload, WorkloadRequest, read_workload

MAX_VIEW_DEPTH = 5
SCHEMA_MAX_BYTES = 512 << 20


@dataclass(frozen=True)
class AdviceRequest:
    workload: WorkloadRequest = field(default_factory=WorkloadRequest)
    dsn: str | None = None
    schema_path: str | None = None
    budget: Budget = field(default_factory=Budget)
    create: bool = False
    lock_timeout_ms: int = 5000
    max_queries: int = 300  # the heaviest distinct queries that are validated


def suggest_indexes(request: AdviceRequest, out: Output) -> Report:
    """Read, prepare, plan and report; validated with HypoPG when a DSN is given."""
    if request.dsn is None:
        if request.create:
            raise UsageError("--create needs --dsn")
        schema = offline_schema(request.schema_path)
        with progress("reading logs", None, enabled=out.show_progress) as bar:
            workload = read_workload(request.workload, None, bar)
        out.info(f"{len(workload.queries)} distinct statements")
        prepared = prepare(workload, schema)
        heuristic = HeuristicCostModel(prepared.needs, prepared.schema.indexes)
        with progress("pricing candidates", None, enabled=out.show_progress) as bar:
            advice = plan(prepared, heuristic, request.budget, validated=False, advance=bar.advance)
        notes = [] if request.schema_path else ["no --schema: existing indexes are unknown"]
        return to_report(advice, notes)
    with Database(request.dsn) as db:
        with progress("reading logs", None, enabled=out.show_progress) as bar:
            workload = read_workload(request.workload, db.pg_stat_statements, bar)
        out.info(f"{len(workload.queries)} distinct statements")
        if workload.dialect == Dialect.MYSQL:
            raise UsageError("--dsn is a PostgreSQL server; a MySQL/MariaDB slow log is advised without --dsn")
        workload = workload.heaviest(request.max_queries)
        prepared = prepare(workload, catalog(db, workload))
        model = HypoPGCostModel(db, prepared)
        failed = model.explain_all()
        total = sum(q.total_ms for q in prepared.queries) or 1.0
        notes = [
            f"{q.source}:{q.line}: cannot price ({q.total_ms / total:.1%} of workload time): {reason}"
            for q, reason in failed
        ]
        prepared = prepared.without({q.fingerprint for q, _ in failed})
        with progress("pricing candidates with HypoPG", None, enabled=out.show_progress) as bar:
            advice = plan(prepared, model, request.budget, validated=True, advance=bar.advance)
        by_fp = {q.fingerprint: q for q in prepared.queries}
        notes += [
            f"{by_fp[fp].source}:{by_fp[fp].line}: LIMIT-plan trap not counted as a gain: {reason}"
            for fp, reason in sorted(model.traps.items())
            if fp in by_fp
        ]
        if request.create:
            for s in advice.suggestions:
                out.info(f"creating {s.candidate.name} ...")
                db.create_index(s.candidate, request.lock_timeout_ms)
            notes.append(f"created {len(advice.suggestions)} index(es) concurrently")
        return to_report(advice, notes)


def catalog(db: Database, workload: Workload) -> Schema:
    """The catalog of every relation the workload names, and of the tables behind its views."""
    names = {f"{schema or 'public'}.{name}" for schema, name in workload.relations}
    schema = db.schema(names)
    for _ in range(MAX_VIEW_DEPTH):
        behind = set()
        for body in schema.views.values():
            try:
                behind |= {f"{s or 'public'}.{n}" for s, n in pgsql.outline(body).relations}
            except UnparseableQuery:
                continue
        if behind <= names:
            break
        names |= behind
        schema = db.schema(names)
    return schema


def offline_schema(path: str | None) -> Schema:
    if path is None:
        return Schema(tables={})
    return parse_schema_dump(read_input_text(path, "schema (pg_dump -s output)", SCHEMA_MAX_BYTES), path)


def unused_indexes(dsn: str, min_size: int, out: Output) -> Report:
    """Unused, duplicate and prefix-redundant indexes of the database at ``dsn``."""
    with Database(dsn) as db:
        indexes = db.indexes()
        reset = db.stats_reset()
    out.info(f"{len(indexes)} indexes")
    return unused_report(indexes, min_size, reset, db.endpoint)
