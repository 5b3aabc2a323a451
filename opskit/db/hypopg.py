"""The HypoPG cost model: planner costs of the workload under hypothetical index sets.

Costs are cached per query and relevant index set. A plan that walks a new sort-order index
and filters its way to a LIMIT (the trap where the planner assumes matches are spread evenly
and the scan reads millions of rows) is not counted as a gain: the query keeps its cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import psycopg

from opskit.core.errors import ServiceError
from opskit.core.redact import mask_dsn
from opskit.db.interface import CostModel, IndexCandidate, QueryStats, UnpricedCandidate
from opskit.db.pg import HYPOPG_SIZE_VERSION, Database, first_line
from opskit.db.prepare import PreparedWorkload
from opskit.db.sizing import btree_size

TRAP_ROWS = 10_000  # rows a LIMIT plan may filter away on a new index before it counts as a trap
TRAP_RATIO = 50  # ... and that many times the rows it returns


def _walk(plan: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    stack = [plan]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("Plans", ()))


def limit_trap(plan: Mapping[str, Any], table_rows: Mapping[str, float]) -> str | None:
    """Why a plan is a LIMIT trap on a hypothetical index, or None.

    Under ``Limit``, an index scan with a ``Filter`` on a hypothetical index returns
    ``Plan Rows`` of the table's rows; to find the LIMIT's rows it reads about
    rows x table rows / plan rows, filtering the rest away.
    """
    for node in _walk(plan):
        if node.get("Node Type") != "Limit":
            continue
        for child in node.get("Plans", ()):
            scan = child.get("Node Type") in ("Index Scan", "Index Only Scan")
            if not scan or "Filter" not in child or not str(child.get("Index Name", "")).startswith("<"):
                continue
            rows = table_rows.get(str(child.get("Relation Name", "")), 0.0)
            wanted = max(float(node.get("Plan Rows", 1)), 1.0)
            read = wanted * rows / max(float(child.get("Plan Rows", 1)), 1.0)
            if read - wanted >= TRAP_ROWS and read >= TRAP_RATIO * wanted:
                return f"a LIMIT plan would filter away ~{read - wanted:,.0f} rows on {child['Index Name']}"
    return None


class HypoPGCostModel(CostModel):
    """Planner costs with hypothetical indexes, cached per query and relevant index set."""

    def __init__(self, db: Database, prepared: PreparedWorkload) -> None:
        self.db = db
        self.prepared = prepared
        self.sql = prepared.sql
        self.tables = {fp: frozenset(shape.tables) for fp, shape in prepared.shapes.items()}
        self.version = db.hypopg_version()
        self._costs: dict[tuple[str, frozenset[IndexCandidate]], float] = {}
        self.table_rows = {name.split(".", 1)[-1]: info.rows or 0.0 for name, info in prepared.schema.tables.items()}
        self.traps: dict[str, str] = {}  # fingerprint -> the last trap a candidate set led it into
        self._sizes: dict[IndexCandidate, int | None] = {}
        self._distinct: dict[tuple[str, tuple[str, ...]], float | None] = {}
        self.explains = 0

    def _plan(self, q: QueryStats) -> dict[str, Any]:
        return self.db.explain(self.sql[q.fingerprint], self.prepared.values.get(q.fingerprint))

    def explain_all(self) -> list[tuple[QueryStats, str]]:
        """The queries the planner does not accept, with the reason (the others' costs are cached)."""
        failed = []
        for q in self.prepared.queries:
            try:
                self._costs[(q.fingerprint, frozenset())] = float(self._plan(q)["Total Cost"])
                self.explains += 1
            except psycopg.Error as exc:
                failed.append((q, mask_dsn(first_line(exc))))
        return failed

    def costs(self, queries: Sequence[QueryStats], config: Sequence[IndexCandidate]) -> dict[str, float]:
        out: dict[str, float] = {}
        todo: list[tuple[QueryStats, frozenset[IndexCandidate]]] = []
        for q in queries:
            tables = self.tables.get(q.fingerprint, frozenset())
            relevant = frozenset(c for c in config if c.table in tables)
            cached = self._costs.get((q.fingerprint, relevant))
            if cached is None:
                todo.append((q, relevant))
            else:
                out[q.fingerprint] = cached
        by_config: dict[frozenset[IndexCandidate], list[QueryStats]] = {}
        for q, relevant in todo:
            by_config.setdefault(relevant, []).append(q)
        for relevant, batch in by_config.items():
            try:
                for candidate in sorted(relevant, key=lambda c: c.label()):
                    try:
                        self.db.hypothetical(candidate)
                    except psycopg.Error as exc:
                        raise UnpricedCandidate(f"HypoPG cannot create it: {first_line(exc)}") from None
                for q in batch:
                    plan = self._plan(q)
                    self.explains += 1
                    cost = float(plan["Total Cost"])
                    trap = limit_trap(plan, self.table_rows)
                    if trap is not None:  # no gain, whatever the estimate says
                        self.traps[q.fingerprint] = trap
                        cost = max(cost, self._costs[(q.fingerprint, frozenset())])
                    self._costs[(q.fingerprint, relevant)] = out[q.fingerprint] = cost
            except psycopg.Error as exc:
                raise ServiceError(f"{self.db.endpoint}: EXPLAIN failed: {mask_dsn(first_line(exc))}") from None
            finally:
                self.db.reset_hypothetical()
        return out

    def _joint_distinct(self, candidate: IndexCandidate) -> float | None:
        """Distinct keys of a multi-column index, or of a skewed column (one with most common
        values), sampled once per column list: pg_stats has no joint counts, and its n_distinct
        is several times too low on skewed columns."""
        info = self.prepared.schema.tables.get(candidate.table)
        columns = tuple(k.expr for k in candidate.keys)
        if info is None or not info.rows or any(k.is_expression for k in candidate.keys):
            return None
        stats = info.stats.get(columns[0])
        if len(columns) == 1 and (stats is None or not stats.common or stats.n_distinct < 1000):
            return None
        key = (candidate.table, columns)
        if key not in self._distinct:
            self._distinct[key] = self.db.distinct_count(candidate.table, columns, info.rows)
        return self._distinct[key]

    def size(self, candidate: IndexCandidate) -> int | None:
        """From pg_stats as the index would be built (deduplication included); HypoPG's own
        estimate (one tuple per row) only where pg_stats cannot tell."""
        if candidate not in self._sizes:
            info = self.prepared.schema.tables.get(candidate.table)
            self._sizes[candidate] = btree_size(candidate, info, self._joint_distinct(candidate))
            if self._sizes[candidate] is None and self.version >= HYPOPG_SIZE_VERSION:
                try:
                    self._sizes[candidate] = self.db.hypothetical_size(self.db.hypothetical(candidate))
                except psycopg.Error as exc:
                    raise UnpricedCandidate(f"HypoPG cannot size it: {first_line(exc)}") from None
                finally:
                    self.db.reset_hypothetical()
        return self._sizes[candidate]
