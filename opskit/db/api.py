"""The two db jobs end to end; the CLI calls one function here each."""

from __future__ import annotations

from dataclasses import replace

from opskit.core.command import Output
from opskit.core.errors import UsageError
from opskit.core.findings import Report
from opskit.core.progress import progress
from opskit.db.advisor import (
    AdviceRequest,
    offline_schema,
    plan,
    prepare,
    read_queries,
    to_report,
    understand_workload,
)
from opskit.db.heuristic import HeuristicCostModel
from opskit.db.pg import Database, HypoPGCostModel
from opskit.db.unused import unused_report


def suggest_indexes(request: AdviceRequest, out: Output) -> Report:
    """Read, understand, price and choose; validated with HypoPG when a DSN is given."""
    if request.dsn is None:
        if request.create:
            raise UsageError("--create needs --dsn")
        with progress("reading logs", None, enabled=out.show_progress) as bar:
            queries = read_queries(request, None, bar)
        out.info(f"{len(queries)} distinct statements")
        understood = understand_workload(queries)
        schema = offline_schema(request.schema_path)
        with progress("pricing candidates", None, enabled=out.show_progress) as bar:
            advice = plan(
                understood,
                schema,
                lambda _workload, per_query: HeuristicCostModel(per_query, schema.indexes),
                request.budget,
                validated=False,
                advance=bar.advance,
            )
        return to_report(advice, [] if request.schema_path else ["no --schema: existing indexes are unknown"])
    with Database(request.dsn) as db:
        with progress("reading logs", None, enabled=out.show_progress) as bar:
            queries = read_queries(request, db.pg_stat_statements, bar)
        out.info(f"{len(queries)} distinct statements")
        understood = understand_workload(queries[: request.max_queries])
        schema = db.schema({t for shape in understood.shapes.values() for t in shape.tables})
        if schema.views:  # read the catalog of the tables behind the views too
            seen = {fp: prepare(shape, schema) for fp, shape in understood.shapes.items()}
            schema = db.schema({t for shape in seen.values() for t in shape.tables} | set(schema.views))
        prepared = {fp: prepare(shape, schema) for fp, shape in understood.shapes.items()}
        model = HypoPGCostModel(db, {fp: frozenset(shape.tables) for fp, shape in prepared.items()})
        explainable, failed = model.explain_all(understood.queries)
        notes = [f"{q.source}:{q.line}: cannot explain: {reason}" for q, reason in failed]
        understood = replace(understood, queries=tuple(explainable))
        with progress("pricing candidates with HypoPG", None, enabled=out.show_progress) as bar:
            advice = plan(
                understood, schema, lambda *_: model, request.budget, validated=True, advance=bar.advance
            )
        if request.create:
            for s in advice.suggestions:
                out.info(f"creating {s.candidate.name} ...")
                db.create_index(s.candidate, request.lock_timeout_ms)
            notes.append(f"created {len(advice.suggestions)} index(es) concurrently")
        return to_report(advice, notes)


def unused_indexes(dsn: str, min_size: int, out: Output) -> Report:
    """Unused, duplicate and prefix-redundant indexes of the database at ``dsn``."""
    with Database(dsn) as db:
        indexes = db.indexes()
        reset = db.stats_reset()
    out.info(f"{len(indexes)} indexes")
    return unused_report(indexes, min_size, reset, db.endpoint)
