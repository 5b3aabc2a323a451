"""Step 2: the workload against the schema, as one ``PreparedWorkload``.

Each statement is understood once with the catalog at hand: names qualified through the search
path, views (the database's, the schema dump's, or the workload's own ``CREATE VIEW``) expanded,
every column attributed to its table, equalities carried across join keys. The SQL to price is
the statement itself, with the workload's own views inlined as CTEs so the planner can read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from opskit.core.redact import mask_dsn
from opskit.db import pgsql
from opskit.db.candidates import TableNeeds, needs, resolve
from opskit.db.interface import NotIndexable, QueryShape, QueryStats, Schema, UnparseableQuery
from opskit.db.mysql.understand import understand as understand_mysql
from opskit.db.workload import Dialect, Workload


@dataclass(frozen=True)
class PreparedWorkload:
    """Statements with their shapes and the SQL to price, over one schema."""

    queries: tuple[QueryStats, ...]
    shapes: Mapping[str, QueryShape]
    sql: Mapping[str, str]  # fingerprint -> the statement to EXPLAIN
    schema: Schema
    dialect: Dialect = Dialect.POSTGRESQL
    notes: tuple[str, ...] = ()
    needs: Mapping[str, tuple[TableNeeds, ...]] = field(default_factory=dict)
    values: Mapping[str, Mapping[int, str]] = field(default_factory=dict)  # fingerprint -> $n -> typical value

    def without(self, fingerprints: set[str]) -> PreparedWorkload:
        return replace(self, queries=tuple(q for q in self.queries if q.fingerprint not in fingerprints))


def with_workload_views(schema: Schema, views: Mapping[str, str]) -> Schema:
    """The schema plus the views the workload creates itself (the catalog's own win)."""
    extra = {schema.qualify(*_split(name)): body for name, body in sorted(views.items())}
    return replace(schema, views={**extra, **schema.views}) if extra else schema


def _split(name: str) -> tuple[str | None, str]:
    schema, _, bare = name.rpartition(".")
    return (schema or None, bare)


def prepare(workload: Workload, schema: Schema) -> PreparedWorkload:
    """Understand every statement against ``schema``; the ones that fail become notes."""
    in_catalog = set(schema.views)
    schema = with_workload_views(schema, workload.views)
    own_views = {  # views only the workload defines: the planner needs them inlined
        _split(name)[1]: body
        for name, body in sorted(workload.views.items())
        if schema.qualify(*_split(name)) not in in_catalog
    }
    kept, shapes, sql = [], {}, {}
    notes = list(workload.notes)
    utility = 0
    for q in workload.queries:
        text = workload.statements.get(q.fingerprint, q.sample)
        try:
            if workload.dialect == Dialect.MYSQL:
                shape = resolve(understand_mysql(text), schema)
            else:
                shape = pgsql.understand(text, schema)
                text = pgsql.inline_views(text, own_views)
        except NotIndexable:
            utility += 1
            continue
        except UnparseableQuery as exc:
            notes.append(f"{q.source}:{q.line}: {exc}: {mask_dsn(' '.join(q.sample.split()))[:80]}")
            continue
        kept.append(q)
        shapes[q.fingerprint] = shape
        sql[q.fingerprint] = text
    if utility:
        notes.append(f"skipped {utility} distinct statement(s) no index can serve (no table)")
    return PreparedWorkload(
        queries=tuple(kept),
        shapes=shapes,
        sql=sql,
        schema=schema,
        dialect=workload.dialect,
        notes=tuple(notes),
        needs={fp: tuple(needs(shape, schema)) for fp, shape in shapes.items()},
        values={fp: typical_values(shape, schema) for fp, shape in shapes.items() if shape.params},
    )


def typical_values(shape: QueryShape, schema: Schema) -> dict[int, str]:
    """For each ``$n`` compared to a column, that column's representative value from pg_stats."""
    out = {}
    for number, column in shape.params:
        info = schema.tables.get(column.table)
        stats = info.stats.get(column.expr) if info is not None else None
        if stats is not None and stats.typical is not None:
            out[number] = stats.typical
    return out

