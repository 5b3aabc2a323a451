"""Steps 3 and 4: candidates for the prepared workload, priced by a cost model, chosen as a whole.

Pure once the cost model is given (HypoPG on a live database, or the offline heuristic).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from opskit.db.candidates import generate
from opskit.db.dialects import ddl, for_mysql
from opskit.db.interface import Advice, CostModel, IndexCandidate, Suggestion
from opskit.db.prepare import PreparedWorkload
from opskit.db.select import Budget, Weights, choose
from opskit.db.workload import Dialect


def weights(prepared: PreparedWorkload) -> Weights:
    """Weights, tables per query and write time per table.

    Write time comes from the workload's INSERT/UPDATE/DELETE statements on a table; when the log
    has none for it (a slow-query log misses fast writes), the catalog's rows written versus rows
    read since the statistics reset scale the workload's read time on that table instead.
    """
    queries, shapes, schema = prepared.queries, prepared.shapes, prepared.schema
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
            for table in sorted(tables[q.fingerprint]):
                read_ms[table] = read_ms.get(table, 0.0) + weight
    for table, reading in read_ms.items():
        info = schema.tables.get(table)
        if table in write_ms or info is None or not info.writes or not info.reads:
            continue
        share = min(info.writes / (info.writes + info.reads), 0.95)
        write_ms[table] = reading * share / (1 - share)
    return Weights(queries=tuple(queries), tables=tables, write_ms=write_ms)


def plan(
    prepared: PreparedWorkload,
    cost_model: CostModel,
    budget: Budget,
    validated: bool = True,
    advance: Callable[[], None] = lambda: None,
) -> Advice:
    """Candidates, whole-workload choice under ``budget``, and every rejection with its reason."""
    found = generate(prepared.shapes, prepared.schema)
    if prepared.dialect == Dialect.MYSQL:
        found = for_mysql(found, prepared.schema)
    suggestions, rejected = choose(
        weights(prepared), found.wanted, cost_model, budget, advance, found.bundles, found.ordered
    )
    by_fp = {q.fingerprint: q for q in prepared.queries}
    located = []
    for s in suggestions:
        top = max((by_fp[fp] for fp in s.queries), key=lambda q: (q.total_ms or q.calls, q.fingerprint))
        located.append(replace(s, validated=validated, source=top.source, line=top.line))
    advisory, notes = gin_advice(prepared, found.advisory)  # MySQL's: FULLTEXT only (for_mysql)
    return Advice(
        suggestions=tuple(located),
        rejected=tuple(sorted([*found.rejected, *rejected], key=lambda r: r.candidate.label())),
        queries=prepared.queries,
        notes=(*prepared.notes, *notes),
        validated=validated,
        tables=prepared.schema.tables,
        advisory=advisory,
        dialect=str(prepared.dialect),
    )


_TRGM = {
    True: "",
    False: "; run CREATE EXTENSION pg_trgm first (available, not installed)",
    None: "; needs pg_trgm, which this server does not have: no index can serve these patterns",
    "offline": "; needs the pg_trgm extension",
}


def gin_advice(
    prepared: PreparedWorkload, wanted: Mapping[IndexCandidate, set[str]]
) -> tuple[tuple[Suggestion, ...], list[str]]:
    """GIN indexes for containment and pattern queries (MySQL: FULLTEXT for MATCH ... AGAINST): HypoPG
    prices btree only, so they are listed with the share of workload time their queries take, and
    whether pg_trgm can be had."""
    by_fp = {q.fingerprint: q for q in prepared.queries}
    total = weights(prepared).total_weight
    out, notes = [], []
    for candidate, fps in wanted.items():
        served = sorted(fp for fp in fps if fp in by_fp)
        if not served:
            continue
        share = sum(by_fp[fp].total_ms if by_fp[fp].timed else by_fp[fp].calls for fp in served) / total
        top = max((by_fp[fp] for fp in served), key=lambda q: (q.total_ms or q.calls, q.fingerprint))
        out.append(Suggestion(candidate, tuple(served), 0.0, round(share, 4), validated=False, source=top.source,
                              line=top.line))  # fmt: skip
        why = "MATCH ... AGAINST uses no btree" if candidate.method == "fulltext" else "HypoPG cannot price GIN"
        note = f"not validated ({why}): {ddl(candidate, str(prepared.dialect))} for queries taking {share:.1%}"
        if any(k.opclass == "gin_trgm_ops" for k in candidate.keys):
            note += _TRGM[prepared.schema.extensions.get("pg_trgm", None if prepared.schema.collation else "offline")]
        notes.append(note)
    return tuple(out), notes

