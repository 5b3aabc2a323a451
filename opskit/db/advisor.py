"""``db suggest-indexes``: from logs (or pg_stat_statements) to chosen indexes, as a Report.

Reads and fingerprints the workload, understands each distinct query once, generates candidates,
prices them with HypoPG on a live database (or the offline heuristic), chooses for the whole
workload, and maps the result onto the shared findings model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from opskit.core.errors import InputError, UsageError
from opskit.core.findings import Confidence, Finding, Location, Report, Severity, fingerprint
from opskit.core.progress import Progress
from opskit.core.redact import mask_dsn
from opskit.db.candidates import TableNeeds, generate, needs, resolve
from opskit.db.fingerprint import Aggregator
from opskit.db.interface import (
    Advice,
    ColumnRef,
    CostModel,
    QueryShape,
    QueryStats,
    Rejection,
    Schema,
    TableInfo,
)
from opskit.db.logs import read_workload
from opskit.db.schema import parse_schema_dump
from opskit.db.select import Budget, Workload, choose
from opskit.db.sqlparse_adapter import NotIndexable, UnparseableQuery, understand
from opskit.db.units import format_bytes

OFFLINE_NOTE = "offline: heuristic, not validated (give --dsn to validate with HypoPG)"
RULE_ID = "db.missing-index"


@dataclass(frozen=True)
class AdviceRequest:
    logs: tuple[str, ...] = ()
    dsn: str | None = None
    schema_path: str | None = None
    input_format: str | None = None
    log_prefix: str | None = None
    from_pg_stat_statements: bool = False
    min_calls: int = 1
    min_time_ms: float = 0.0
    budget: Budget = field(default_factory=Budget)
    create: bool = False
    lock_timeout_ms: int = 5000
    jobs: int | None = None
    max_queries: int = 300  # the heaviest distinct queries that are validated


@dataclass(frozen=True)
class Understood:
    """The workload after sqlparse: shapes per fingerprint and the statements that failed."""

    queries: tuple[QueryStats, ...]
    shapes: Mapping[str, QueryShape]
    notes: tuple[str, ...]


def understand_workload(queries: Sequence[QueryStats]) -> Understood:
    """Parse each distinct query once; unparseable ones become ``file:line: cannot parse`` notes,
    statements no index can serve (BEGIN, SET, DDL, ``SELECT 1``) one summary note."""
    kept, shapes, notes = [], {}, []
    utility = 0
    for q in queries:
        try:
            shapes[q.fingerprint] = understand(q.sample)
            kept.append(q)
        except NotIndexable:
            utility += 1
        except UnparseableQuery as exc:
            notes.append(f"{q.source}:{q.line}: {exc}: {mask_dsn(' '.join(q.sample.split()))[:80]}")
    if utility:
        notes.append(f"skipped {utility} distinct statement(s) no index can serve (utility commands, no table)")
    return Understood(tuple(kept), shapes, tuple(notes))


def qualify(shape: QueryShape, known: Iterable[str]) -> QueryShape:
    """Unqualified names (``public.x`` by default) to the one known ``schema.x`` the search_path found."""
    by_name: dict[str, list[str]] = {}
    for name in known:
        by_name.setdefault(name.split(".", 1)[-1], []).append(name)
    known_set = {n for names in by_name.values() for n in names}
    mapping = {}
    for table in shape.tables:
        matches = by_name.get(table.split(".", 1)[-1], [])
        if table not in known_set and table.startswith("public.") and len(matches) == 1:
            mapping[table] = matches[0]
    if not mapping:
        return shape

    def moved(col: ColumnRef) -> ColumnRef:
        return replace(col, table=mapping.get(col.table, col.table))

    return replace(
        shape,
        tables=tuple(mapping.get(t, t) for t in shape.tables),
        predicates=tuple(replace(p, column=moved(p.column)) for p in shape.predicates),
        joins=tuple((moved(a), moved(b)) for a, b in shape.joins),
        order_by=tuple(replace(k, column=moved(k.column)) for k in shape.order_by),
        group_by=tuple(moved(c) for c in shape.group_by),
        selected=tuple(moved(c) for c in shape.selected),
        written_table=mapping.get(shape.written_table or "", shape.written_table),
    )


def prepare(shape: QueryShape, schema: Schema) -> QueryShape:
    """A query's shape against the real schema: names qualified, views seen through, columns attributed."""
    known = [*schema.tables, *schema.views]
    return resolve(expand_views(qualify(shape, known), schema.views), schema)


def expand_views(shape: QueryShape, views: Mapping[str, str], depth: int = 5) -> QueryShape:
    """See through views: the view's tables, filters and joins join the query's own, and
    columns the query reads from a single-table view are attributed to that table."""
    for view in [t for t in shape.tables if t in views]:
        try:
            inner = expand_views(understand(views[view]), views, depth - 1) if depth else None
        except UnparseableQuery:
            inner = None
        if inner is None:
            continue
        base = inner.tables[0] if len(inner.tables) == 1 else ""

        def through(col: ColumnRef, view: str = view, base: str = base) -> ColumnRef:
            return replace(col, table=base) if col.table == view else col

        shape = replace(
            shape,
            tables=tuple(dict.fromkeys([*(t for t in shape.tables if t != view), *inner.tables])),
            predicates=(*(replace(p, column=through(p.column)) for p in shape.predicates), *inner.predicates),
            joins=(*((through(a), through(b)) for a, b in shape.joins), *inner.joins),
            order_by=tuple(replace(k, column=through(k.column)) for k in shape.order_by),
            group_by=tuple(through(c) for c in shape.group_by),
            selected=tuple(through(c) for c in shape.selected),
        )
    return shape


def workload_of(queries: Sequence[QueryStats], shapes: Mapping[str, QueryShape], schema: Schema) -> Workload:
    """Weights, tables per query and write time per table.

    Write time comes from the workload's INSERT/UPDATE/DELETE statements on a table; when the log
    has none for it (a slow-query log misses fast writes), the catalog's rows written versus rows
    read since the statistics reset scale the workload's read time on that table instead.
    """
    tables = {q.fingerprint: frozenset(shapes[q.fingerprint].tables) for q in queries}
    timed = any(q.timed for q in queries)
    write_ms: dict[str, float] = {}
    read_ms: dict[str, float] = {}
    for q in queries:
        weight = q.total_ms if timed else float(q.calls)
        written = shapes[q.fingerprint].written_table
        if written:
            write_ms[written] = write_ms.get(written, 0.0) + weight
        else:
            for table in tables[q.fingerprint]:
                read_ms[table] = read_ms.get(table, 0.0) + weight
    for table, reading in read_ms.items():
        info = schema.tables.get(table)
        if table in write_ms or info is None or not info.writes or not info.reads:
            continue
        share = min(info.writes / (info.writes + info.reads), 0.95)
        write_ms[table] = reading * share / (1 - share)
    return Workload(queries=tuple(queries), tables=tables, write_ms=write_ms)


def plan(
    understood: Understood,
    schema: Schema,
    model_for: Callable[[Workload, Mapping[str, Sequence[TableNeeds]]], CostModel],
    budget: Budget,
    validated: bool,
    advance: Callable[[], None] = lambda: None,
) -> Advice:
    """Pure once the cost model is given: candidates, whole-workload choice, rejections."""
    shapes = {q.fingerprint: prepare(understood.shapes[q.fingerprint], schema) for q in understood.queries}
    per_query = {fp: needs(shape, schema) for fp, shape in shapes.items()}
    wanted, covered = generate(shapes, schema)
    workload = workload_of(understood.queries, shapes, schema)
    model = model_for(workload, per_query)
    suggestions, rejected = choose(workload, wanted, model, budget, advance)
    by_fp = {q.fingerprint: q for q in understood.queries}
    located = []
    for s in suggestions:
        top = max((by_fp[fp] for fp in s.queries), key=lambda q: q.total_ms or q.calls)
        located.append(
            replace(s, validated=validated, source=top.source, line=top.line)
        )
    return Advice(
        suggestions=tuple(located),
        rejected=tuple([*covered, *rejected]),
        queries=understood.queries,
        notes=understood.notes,
        validated=validated,
        tables=schema.tables,
    )


def read_queries(
    request: AdviceRequest, from_pgss: Callable[[], list[QueryStats]] | None, bar: Progress | None = None
) -> list[QueryStats]:
    if not request.logs and not request.from_pg_stat_statements:
        raise UsageError("give at least one LOG (or - for stdin), or --dsn with --from-pg-stat-statements")
    agg = Aggregator()
    if request.logs:
        agg = read_workload(request.logs, request.input_format, request.log_prefix, request.jobs, bar)
    if request.from_pg_stat_statements:
        if from_pgss is None:
            raise UsageError("--from-pg-stat-statements needs --dsn")
        for row in from_pgss():
            agg.add_stats(row)
    return agg.results(request.min_calls, request.min_time_ms)


def offline_schema(path: str | None) -> Schema:
    if path is None:
        return Schema(tables={})
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError as exc:
        raise InputError(f"{path}: cannot read schema: {exc.strerror or exc}") from None
    return parse_schema_dump(text, path)


def severity_for(share: float) -> Severity:
    if share >= 0.2:
        return Severity.HIGH
    if share >= 0.05:
        return Severity.MEDIUM
    if share >= 0.01:
        return Severity.LOW
    return Severity.INFO


def to_report(advice: Advice, extra_notes: Sequence[str] = ()) -> Report:
    """Findings (one per index, ranked by time saved) plus the JSON ``indexes``/``queries``/``rejected``."""
    timed = any(q.timed for q in advice.queries)
    unit = "ms" if timed else "calls"
    served_by: dict[str, list[str]] = {}
    findings, indexes = [], []
    for rank, s in enumerate(advice.suggestions, 1):
        c = s.candidate
        for fp in s.queries:
            served_by.setdefault(fp, []).append(c.name)
        size = "unknown size" if s.size_bytes is None else format_bytes(s.size_bytes)
        cost = (
            f"cost {s.cost_before:g} -> {s.cost_after:g}"
            if advice.validated
            else f"heuristic cost {s.cost_before:g} -> {s.cost_after:g} (relative)"
        )
        message = "\n".join(
            [
                c.ddl(),
                f"saves ~{s.saved_ms:.1f} {unit} ({s.share:.1%} of workload {'time' if timed else 'calls'}), "
                f"{cost}, {size}{_table_facts(_table(advice, c.table))}",
                *[f"serves: {fp[:100]}" for fp in s.queries[:5]],
                *([f"... and {len(s.queries) - 5} more queries"] if len(s.queries) > 5 else []),
            ]
        )
        findings.append(
            Finding(
                rule_id=RULE_ID,
                title=f"#{rank} index on {c.table} ({', '.join(k.sql() for k in c.keys)})"
                + ("" if advice.validated else " [unvalidated]"),
                severity=severity_for(s.share),
                message=message,
                location=Location(path=s.source, line=s.line or None),
                fingerprint=fingerprint(RULE_ID, c.label()),
                confidence=Confidence.HIGH if advice.validated else Confidence.LOW,
                properties={
                    "ddl": c.ddl(),
                    "table": c.table,
                    "saved": s.saved_ms,
                    "share": s.share,
                    "validated": advice.validated,
                },
            )
        )
        indexes.append(
            {
                "rank": rank,
                "name": c.name,
                "table": c.table,
                "columns": c.columns,
                "keys": [k.sql() for k in c.keys],
                "include": list(c.include),
                "where": c.where,
                "ddl": c.ddl(),
                "queries": list(s.queries),
                "saved": s.saved_ms,
                "saved_unit": unit,
                "share": s.share,
                "cost_before": s.cost_before,
                "cost_after": s.cost_after,
                "size_bytes": s.size_bytes,
                "table_rows": _table(advice, c.table).rows,
                "table_size_bytes": _table(advice, c.table).size_bytes,
                "validated": advice.validated,
            }
        )
    queries = [_query_json(q, served_by.get(q.fingerprint, [])) for q in advice.queries]
    rejected = [_rejected_json(r) for r in advice.rejected]
    notes = [*([] if advice.validated else [OFFLINE_NOTE]), *extra_notes, *advice.notes]
    if not advice.queries:
        notes.append("no statements found in the workload")
    return Report(
        command="db suggest-indexes",
        findings=findings,
        data={"indexes": indexes, "queries": queries, "rejected": rejected, "validated": advice.validated},
        notes=notes,
    )


def _table(advice: Advice, name: str) -> TableInfo:
    return advice.tables.get(name) or TableInfo(name=name, columns=())


def _table_facts(info: TableInfo) -> str:
    if info.rows is None or info.size_bytes is None:
        return ""
    return f"; {info.name} has ~{info.rows:,.0f} rows in {format_bytes(info.size_bytes)}"


def _query_json(q: QueryStats, indexes: list[str]) -> dict[str, Any]:
    return {
        "fingerprint": q.fingerprint,
        "calls": q.calls,
        "total_ms": q.total_ms if q.timed else None,
        "mean_ms": q.mean_ms if q.timed else None,
        "p95_ms": q.p95_ms,
        "sample": mask_dsn(q.sample),
        "location": f"{q.source}:{q.line}",
        "indexes": indexes,
    }


def _rejected_json(r: Rejection) -> dict[str, Any]:
    return {"table": r.candidate.table, "ddl": r.candidate.ddl(), "reason": r.reason}

