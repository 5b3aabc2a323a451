"""The offline cost model: relative costs from how much of each query an index serves.

Without a database there are no row counts or plans, so a query's cost is 1.0 and an index
divides it by how many of its needs it meets (equality keys, one range or the ORDER BY with a
LIMIT, a little for an index-only scan or a smaller partial index). Rankings from this model are labelled unvalidated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from opskit.db.candidates import TableNeeds, usefulness
from opskit.db.interface import CostModel, ExistingIndex, IndexCandidate, IndexKey, QueryStats


def relative_cost(candidate: IndexCandidate, n: TableNeeds) -> float:
    equality, ranged, sort, index_only = usefulness(candidate, n)
    if not (equality or ranged or sort):
        return 1.0
    partial = candidate.where is not None
    score = 3 * equality + 2 * ranged + (3 if n.limit else 1) * sort + 0.5 * index_only + partial
    return 1.0 / (1.0 + score)


def as_candidate(index: ExistingIndex) -> IndexCandidate:
    """An existing btree index in candidate form, so the model prices what is already there."""
    keys = tuple(IndexKey(k, is_expression="(" in k) for k in index.keys)
    return IndexCandidate(index.table, keys, include=index.include, where=index.where)


class HeuristicCostModel(CostModel):
    def __init__(self, needs: Mapping[str, Sequence[TableNeeds]], existing: Sequence[ExistingIndex] = ()) -> None:
        self.needs = needs
        self.existing = [as_candidate(ix) for ix in existing]

    def costs(self, queries: Sequence[QueryStats], config: Sequence[IndexCandidate]) -> dict[str, float]:
        out = {}
        for q in queries:
            tables = self.needs.get(q.fingerprint, ())
            if not tables:
                out[q.fingerprint] = 1.0
                continue
            present = [*self.existing, *config]
            per_table = [min((relative_cost(c, n) for c in present), default=1.0) for n in tables]
            out[q.fingerprint] = round(sum(per_table) / len(per_table), 6)
        return out

    def size(self, candidate: IndexCandidate) -> int | None:
        return None
