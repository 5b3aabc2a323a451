"""The psycopg adapter: the only module that talks to PostgreSQL.

Catalog reads (tables, columns, existing indexes with sizes and scans, pg_stats, rows written and read),
pg_stat_statements, HypoPG hypothetical indexes with EXPLAIN costs, and building indexes.
Every error leaves here as a one-line ServiceError with the DSN password masked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import psycopg
from psycopg import sql as pgsql

from opskit.core.errors import ServiceError
from opskit.core.redact import mask_dsn
from opskit.db.interface import (
    ColumnStats,
    ExistingIndex,
    IndexCandidate,
    QueryStats,
    Schema,
    TableInfo,
    UnpricedCandidate,
)
from opskit.db.logs.other import pgss_row
from opskit.db.schema import parse_index_definition

_PARAM = re.compile(r"\$\d+\b")
HYPOPG_SIZE_VERSION = (1, 1, 0)  # hypopg_relation_size() appeared in HypoPG 1.1.0


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class Database:
    """One connection, autocommit, with a statement timeout so a bad EXPLAIN cannot hang a run."""

    def __init__(self, dsn: str, statement_timeout_ms: int = 10_000) -> None:
        self.endpoint = mask_dsn(dsn)
        try:
            self.conn = psycopg.connect(dsn, autocommit=True, connect_timeout=5, prepare_threshold=None)
            self.conn.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
        except psycopg.Error as exc:
            raise ServiceError(f"{self.endpoint}: cannot connect: {mask_dsn(first_line(exc))}") from None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, query: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        try:
            return self.conn.execute(query, params).fetchall()
        except psycopg.Error as exc:
            raise ServiceError(f"{self.endpoint}: {mask_dsn(first_line(exc))}") from None

    # --- catalog ---------------------------------------------------------------------------

    def schema(self, tables: Iterable[str] | None = None) -> Schema:
        """Tables (with rows, size, writes, pg_stats n_distinct), their indexes, and views among them.

        Names the query left unqualified (``public.x`` by default) also match a table ``x`` that
        the search_path makes visible in another schema.
        """
        asked = sorted(set(tables)) if tables is not None else None
        bare = [t.split(".", 1)[1] for t in asked or () if t.startswith("public.")]
        names = {"wanted": asked, "bare": bare}
        visible = (
            "(n.nspname || '.' || c.relname = ANY(%(wanted)s::text[])"
            " OR (c.relname = ANY(%(bare)s::text[]) AND pg_table_is_visible(c.oid)))"
        )
        rows = self.fetch(
            """
            SELECT n.nspname || '.' || c.relname, c.reltuples, pg_total_relation_size(c.oid),
                   coalesce(s.n_tup_ins + s.n_tup_upd + s.n_tup_del, 0),
                   coalesce(s.seq_tup_read, 0) + coalesce(s.idx_tup_fetch, 0),
                   array(SELECT a.attname FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum),
                   array(SELECT format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
                         WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid
            WHERE c.relkind IN ('r', 'p', 'm')
              AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
              AND (%(wanted)s::text[] IS NULL OR """
            + visible
            + ")",
            names,
        )
        types = {(r[0], column): kind for r in rows for column, kind in zip(r[5], r[6], strict=True)}
        stats: dict[str, dict[str, float]] = {}
        column_stats: dict[str, dict[str, ColumnStats]] = {}
        for table, column, n_distinct, reltuples, width, null_frac, values, freqs, bounds in self.fetch(
            """
            SELECT s.schemaname || '.' || s.tablename, s.attname, s.n_distinct, c.reltuples, s.avg_width,
                   s.null_frac, s.most_common_vals::text, s.most_common_freqs, s.histogram_bounds::text
            FROM pg_stats s
            JOIN pg_namespace n ON n.nspname = s.schemaname
            JOIN pg_class c ON c.relname = s.tablename AND c.relnamespace = n.oid
            WHERE %(wanted)s::text[] IS NULL OR s.schemaname || '.' || s.tablename = ANY(%(wanted)s::text[])
            ORDER BY 1, 2
            """,
            {"wanted": [r[0] for r in rows] if asked is not None else None},
        ):
            distinct = n_distinct if n_distinct >= 0 else -n_distinct * max(reltuples, 1)
            stats.setdefault(table, {})[column] = float(distinct)
            common = dict(zip(array_elements(values or "{}"), map(float, freqs or ()), strict=False))
            histogram = array_elements(bounds or "{}")
            typical = histogram[len(histogram) // 2] if histogram else next(iter(common), None)
            column_stats.setdefault(table, {})[column] = ColumnStats(
                float(width), float(null_frac), distinct, common, types.get((table, column), ""), typical
            )
        infos = {
            name: TableInfo(
                name=name,
                columns=tuple(columns),
                rows=float(reltuples),
                size_bytes=int(size),
                writes=int(writes),
                reads=int(reads),
                n_distinct=stats.get(name, {}),
                stats=column_stats.get(name, {}),
            )
            for name, reltuples, size, writes, reads, columns, _types in rows
        }
        found = list(infos) if asked is not None else None
        views = self.fetch(
            """
            SELECT n.nspname || '.' || c.relname, pg_get_viewdef(c.oid)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind = 'v' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND (%(wanted)s::text[] IS NULL OR """
            + visible
            + ")",
            names,
        )
        collation = self.fetch("SELECT datcollate FROM pg_database WHERE datname = current_database()")
        extensions = self.fetch(
            "SELECT name, installed_version IS NOT NULL FROM pg_available_extensions WHERE name = 'pg_trgm'"
        )
        return Schema(
            tables=infos,
            indexes=tuple(self.indexes(found)),
            views=dict(views),
            collation=str(collation[0][0]) if collation else None,
            extensions={str(name): bool(installed) for name, installed in extensions},
        )

    def indexes(self, tables: Sequence[str] | None = None) -> list[ExistingIndex]:
        """Existing indexes (including partial and expression ones) with size and scan counts."""
        out = []
        for definition, size, scans, unique, primary in self.fetch(
            """
            SELECT pg_get_indexdef(i.indexrelid), pg_relation_size(i.indexrelid),
                   coalesce(s.idx_scan, 0), i.indisunique, i.indisprimary
            FROM pg_index i
            JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
            LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%%'
              AND (%(wanted)s::text[] IS NULL OR n.nspname || '.' || t.relname = ANY(%(wanted)s::text[]))
            ORDER BY 1
            """,
            {"wanted": list(tables) if tables is not None else None},
        ):
            index = parse_index_definition(definition, size_bytes=int(size), scans=int(scans))
            out.append(replace(index, unique=bool(unique), primary=bool(primary)))
        return out

    def distinct_count(self, table: str, columns: Sequence[str], rows: float, sample: int = 30_000) -> float | None:
        """Distinct combinations of ``columns``, from a repeatable page sample: the larger of
        ANALYZE's own estimator (Haas and Stokes' Duj1) and Chao's, which holds up better on
        skewed columns, where Duj1 (and so pg_stats' n_distinct) can be several times too low."""
        schema, _, name = table.partition(".")
        percent = min(100.0, max(0.01, 100.0 * sample / max(rows, 1.0)))
        query = pgsql.SQL(
            "SELECT coalesce(sum(c), 0), count(*), count(*) FILTER (WHERE c = 1), count(*) FILTER (WHERE c = 2) "
            "FROM (SELECT count(*) AS c FROM {} TABLESAMPLE SYSTEM ({}) REPEATABLE (10) GROUP BY {}) s"
        ).format(
            pgsql.Identifier(schema, name),
            pgsql.Literal(percent),
            pgsql.SQL(", ").join(pgsql.Identifier(c) for c in columns),
        )
        (total, distinct, once, twice), *_ = self.fetch(query.as_string(self.conn))
        sampled = float(total)
        if not sampled:
            return None
        if sampled >= rows:
            return float(distinct)
        duj1 = sampled * distinct / (sampled - once + once * sampled / rows)
        chao = distinct + once * once / (2.0 * max(twice, 1))
        return float(min(max(duj1, chao, distinct), rows))

    def stats_reset(self) -> str | None:
        rows = self.fetch("SELECT stats_reset::text FROM pg_stat_database WHERE datname = current_database()")
        return rows[0][0] if rows else None

    def pg_stat_statements(self, limit: int = 500) -> list[QueryStats]:
        """The top statements by total time from pg_stat_statements."""
        if not self.fetch("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'"):
            raise ServiceError(
                f"{self.endpoint}: pg_stat_statements is not installed (CREATE EXTENSION pg_stat_statements)"
            )
        rows = self.fetch(
            """
            SELECT query, calls, total_exec_time FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND query !~* '^\\s*(BEGIN|COMMIT|ROLLBACK|SET|SHOW|RESET|DEALLOCATE|EXPLAIN|PREPARE)\\b'
            ORDER BY total_exec_time DESC LIMIT %(limit)s
            """,
            {"limit": limit},
        )
        return [
            pgss_row({"query": q, "calls": c, "total_exec_time": t}, f"{self.endpoint} pg_stat_statements", i)
            for i, (q, c, t) in enumerate(rows, 1)
        ]

    # --- HypoPG and EXPLAIN -----------------------------------------------------------------

    def hypopg_version(self) -> tuple[int, ...]:
        """HypoPG's version, installing the extension in this database if it is available."""
        try:
            self.conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        except psycopg.Error as exc:
            raise ServiceError(
                f"{self.endpoint}: HypoPG is needed for validation and could not be enabled: "
                f"{mask_dsn(first_line(exc))}"
            ) from None
        version = self.fetch("SELECT extversion FROM pg_extension WHERE extname = 'hypopg'")[0][0]
        return tuple(int(p) for p in re.findall(r"\d+", version))

    def explain(self, statement: str, values: Mapping[int, str] | None = None) -> dict[str, Any]:
        """The planner's plan (the JSON ``Plan`` node) for ``statement``.

        A statement with ``$n`` parameters is prepared and planned for representative values of
        the parameter types PostgreSQL infers (``typed_values``; ``values`` by $n from pg_stats
        where the parameter is compared to a column), as a custom plan, never with NULLs:
        ``LIMIT NULL`` or ``created_at > NULL`` would price a different query.
        """
        if not _PARAM.search(statement):
            row = self.conn.execute(pgsql.SQL("EXPLAIN (FORMAT JSON) ") + pgsql.SQL(statement)).fetchone()
            return _plan(row)
        self.conn.execute(pgsql.SQL("PREPARE opskit_stmt AS ") + pgsql.SQL(statement))
        try:
            found = self.conn.execute(
                "SELECT parameter_types::text[] FROM pg_prepared_statements WHERE name = 'opskit_stmt'"
            ).fetchone()
            args = ", ".join(typed_values(list(found[0]) if found else [], values or {}))
            self.conn.execute("SET plan_cache_mode = force_custom_plan")
            row = self.conn.execute(
                pgsql.SQL("EXPLAIN (FORMAT JSON) EXECUTE opskit_stmt" + (f"({args})" if args else ""))
            ).fetchone()
        finally:
            self.conn.execute("RESET plan_cache_mode")
            self.conn.execute("DEALLOCATE opskit_stmt")
        return _plan(row)

    def explain_cost(self, statement: str) -> float:
        """The planner's total cost of ``statement``."""
        return float(self.explain(statement)["Total Cost"])

    def hypothetical(self, candidate: IndexCandidate) -> int:
        """Create a hypothetical index; return its oid."""
        row = self.conn.execute(
            "SELECT indexrelid FROM hypopg_create_index(%s)", [candidate.ddl(concurrently=False)]
        ).fetchone()
        if row is None:
            raise UnpricedCandidate("HypoPG created no index")
        return int(row[0])

    def hypothetical_size(self, oid: int) -> int:
        row = self.conn.execute("SELECT hypopg_relation_size(%s)", [oid]).fetchone()
        return int(row[0]) if row else 0

    def reset_hypothetical(self) -> None:
        self.conn.execute("SELECT hypopg_reset()")

    # --- building ---------------------------------------------------------------------------

    def create_index(self, candidate: IndexCandidate, lock_timeout_ms: int) -> None:
        """Build an index concurrently (outside a transaction block); a failed build leaves an
        INVALID index behind, which is dropped here so that a retry can start clean."""
        ddl = candidate.ddl()
        try:
            self.conn.execute(f"SET lock_timeout = {int(lock_timeout_ms)}")
            self.conn.execute("SET statement_timeout = 0")
            self.conn.execute(pgsql.SQL(ddl))
        except psycopg.Error as exc:
            reason = mask_dsn(first_line(exc))
            schema = candidate.table.split(".", 1)[0]
            try:
                invalid = self.conn.execute(
                    "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE c.relname = %s AND n.nspname = %s AND NOT i.indisvalid",
                    [candidate.name, schema],
                ).fetchone()
                if invalid:
                    self.conn.execute(
                        pgsql.SQL("DROP INDEX CONCURRENTLY IF EXISTS {}").format(
                            pgsql.Identifier(schema, candidate.name)
                        )
                    )
                    reason += " (the INVALID index it left was dropped)"
            except psycopg.Error:
                reason += f" (check for an INVALID index {candidate.name})"
            raise ServiceError(f"{self.endpoint}: {ddl}: {reason}") from None


def array_elements(text: str) -> list[str]:
    """The elements of a one-dimensional array literal as PostgreSQL prints it: ``{a,"b c",NULL}``."""
    out: list[str] = []
    current: list[str] = []
    quoted = escaped = was_quoted = False
    for ch in text.strip()[1:-1]:
        if escaped:
            current.append(ch)
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted, was_quoted = not quoted, True
        elif ch == "," and not quoted:
            out.append("".join(current))
            current, was_quoted = [], False
        else:
            current.append(ch)
    if current or was_quoted or out:
        out.append("".join(current))
    return out


def _plan(row: Any) -> dict[str, Any]:
    plan = row[0] if row else "[]"
    if isinstance(plan, str):
        plan = json.loads(plan)
    return dict(plan[0]["Plan"])


_TYPED = {
    "integer": "20", "bigint": "20", "smallint": "20", "oid": "20", "numeric": "1", "real": "1",
    "double precision": "1", "boolean": "true", "interval": "1 day", "date": "today",
    "timestamp without time zone": "yesterday", "timestamp with time zone": "yesterday",
    "time without time zone": "12:00", "json": "{}", "jsonb": "{}",
    "uuid": "00000000-0000-0000-0000-000000000000",
}  # fmt: skip


def typed_values(types: list[str], known: Mapping[int, str] | None = None) -> list[str]:
    """A representative literal per parameter: the column's typical value from pg_stats when the
    parameter is compared to one, else by type (a small LIMIT, a recent time, a short text)."""
    out = []
    for number, name in enumerate(types, 1):
        base = name.removesuffix("[]")
        value = (known or {}).get(number) if not name.endswith("[]") else None
        value = value if value is not None else _TYPED.get(base, "a")
        if name.endswith("[]"):
            value = "{" + ",".join([f'"{value}"'] * 3) + "}"
        value = value.replace("'", "''")
        out.append(f"'{value}'::{name}" if name != "unknown" else f"'{value}'")
    return out
