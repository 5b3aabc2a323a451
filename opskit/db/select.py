"""Whole-workload index selection: greedy under budgets, weighted by time, with no regressions.

Each round tries every remaining candidate together with the indexes already chosen (so index
interaction is priced in), and picks the one that saves the most workload time net of its write
cost. A candidate that makes any query's plan more expensive is rejected outright.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

from opskit.db.interface import (
    CostModel,
    IndexCandidate,
    QueryStats,
    Rejection,
    Suggestion,
    UnpricedCandidate,
)

_EPSILON = 1e-6
NEARLY_EQUAL = 0.05  # among options within 5% of the best saving, the narrowest index wins


@dataclass(frozen=True)
class Budget:
    max_indexes: int = 10
    max_size: int | None = None  # bytes, over all chosen indexes
    min_improvement: float = 0.2  # a query is served when its cost drops by at least this share
    write_overhead: float = 0.1  # each new index adds this share of a table's write time
    min_share: float = 0.01  # an index must save at least this share of the workload's time


@dataclass(frozen=True)
class Weights:
    """Queries with their weights and the tables each touches, plus write time per table."""

    queries: Sequence[QueryStats]
    tables: Mapping[str, frozenset[str]]  # fingerprint -> tables the query reads or writes
    write_ms: Mapping[str, float]  # table -> workload time of INSERT/UPDATE/DELETE on it

    def weight(self, q: QueryStats) -> float:
        """Total time when the log has durations, else calls (plain .sql files, log_statement)."""
        return q.total_ms if self.timed else float(q.calls)

    @cached_property
    def timed(self) -> bool:
        return any(q.timed for q in self.queries)

    @cached_property
    def total_weight(self) -> float:
        return sum(self.weight(q) for q in self.queries) or 1.0

    @cached_property
    def _by_table(self) -> dict[str, list[QueryStats]]:
        out: dict[str, list[QueryStats]] = {}
        for q in self.queries:
            for table in self.tables.get(q.fingerprint, ()):
                out.setdefault(table, []).append(q)
        return out

    def on_table(self, table: str) -> list[QueryStats]:
        return self._by_table.get(table, [])


@dataclass(frozen=True)
class _Option:
    saved: float
    penalty: float
    served: list[str]
    after: dict[str, float]
    replaces: list[IndexCandidate]  # chosen indexes this one makes redundant

    @property
    def net(self) -> float:
        return self.saved - self.penalty


def extends(wider: IndexCandidate, narrower: IndexCandidate) -> bool:
    """``wider`` makes ``narrower`` redundant: same table and predicate, keys that start with
    narrower's keys (directions included), and every INCLUDE column of narrower still there."""
    if wider == narrower or wider.table != narrower.table or wider.where != narrower.where:
        return False
    covered = {k.expr for k in wider.keys} | set(wider.include)
    return wider.keys[: len(narrower.keys)] == narrower.keys and set(narrower.include) <= covered


def choose(
    workload: Weights,
    wanted: Mapping[IndexCandidate, set[str]],
    model: CostModel,
    budget: Budget,
    advance: Callable[[], None] = lambda: None,
) -> tuple[list[Suggestion], list[Rejection]]:
    """Pick indexes greedily until no candidate pays off or a budget is reached.

    A candidate that extends an index already chosen (more keys or INCLUDE columns) is priced as
    its replacement, so the result never holds an index the next one makes redundant.
    """
    queries = list(workload.queries)
    base = model.costs(queries, [])
    current = dict(base)
    chosen: dict[IndexCandidate, Suggestion] = {}
    rejected: dict[IndexCandidate, str] = {}
    remaining = sorted(wanted, key=lambda c: c.label())
    total = workload.total_weight
    while remaining and len(chosen) < budget.max_indexes:
        options = []
        used_size = sum(s.size_bytes or 0 for s in chosen.values())
        for candidate in remaining:
            advance()
            try:
                outcome = _price(candidate, workload, model, budget, list(chosen), base, current)
                size = model.size(candidate) if not isinstance(outcome, str) else None
            except UnpricedCandidate as exc:
                outcome = str(exc)
            if isinstance(outcome, str):
                rejected[candidate] = outcome
                continue
            freed = sum(chosen[c].size_bytes or 0 for c in outcome.replaces)
            if budget.max_size is not None and size is not None and used_size - freed + size > budget.max_size:
                rejected[candidate] = f"over --max-size ({used_size - freed + size} > {budget.max_size} bytes)"
                continue
            options.append((outcome, size, candidate))
        remaining = [c for c in remaining if c not in rejected]
        if not options:
            break
        top = max(o[0].net for o in options)
        close = [o for o in options if o[0].net >= (1 - NEARLY_EQUAL) * top]
        option, size, candidate = min(close, key=lambda o: (_width(o[2]), -o[0].net, o[2].label()))
        remaining.remove(candidate)
        served, saved = list(option.served), option.saved
        for old in option.replaces:
            previous = chosen.pop(old)
            served, saved = [*previous.queries, *served], saved + previous.saved_ms
            rejected[old] = f"replaced by {candidate.name}, which serves the same queries and more"
        served = list(dict.fromkeys(served))
        chosen[candidate] = Suggestion(
            candidate=candidate,
            queries=tuple(served),
            saved_ms=round(saved, 3),
            share=round(saved / total, 4),
            cost_before=round(sum(base[fp] for fp in served), 2),
            cost_after=round(sum(option.after.get(fp, current[fp]) for fp in served), 2),
            size_bytes=size,
        )
        current.update(option.after)
    for candidate in remaining:
        rejected[candidate] = f"over --max-indexes budget ({budget.max_indexes})"
    ordered = sorted(chosen.values(), key=lambda s: -s.saved_ms)
    return ordered, [Rejection(c, reason) for c, reason in sorted(rejected.items(), key=lambda kv: kv[0].label())]


def _width(candidate: IndexCandidate) -> int:
    """Narrower designs are cheaper to keep: fewer keys, no INCLUDE (a partial index is smaller still)."""
    return len(candidate.keys) + len(candidate.include)


def _price(
    candidate: IndexCandidate,
    workload: Weights,
    model: CostModel,
    budget: Budget,
    chosen: list[IndexCandidate],
    base: Mapping[str, float],
    current: Mapping[str, float],
) -> _Option | str:
    """What adding ``candidate`` (or swapping it in for a chosen index it extends) saves, or why not."""
    replaces = [c for c in chosen if extends(candidate, c)]
    affected = workload.on_table(candidate.table)
    after = model.costs(affected, [*(c for c in chosen if c not in replaces), candidate])
    for q in affected:
        fp = q.fingerprint
        if after[fp] > current[fp] * (1 + _EPSILON):
            return f"makes a query more expensive ({current[fp]:.1f} -> {after[fp]:.1f}): {fp[:80]}"
    served = [
        q.fingerprint
        for q in affected
        if current[q.fingerprint] - after[q.fingerprint] >= budget.min_improvement * current[q.fingerprint] > 0
    ]
    if not served:
        return f"no query gets {budget.min_improvement:.0%} cheaper" + (
            " with the indexes already chosen" if chosen else ""
        )
    saved = sum(
        workload.weight(q) * (current[q.fingerprint] - after[q.fingerprint]) / base[q.fingerprint]
        for q in affected
        if q.fingerprint in served and base[q.fingerprint] > 0
    )
    # a replacement keeps the number of indexes the table maintains on writes
    penalty = 0.0 if replaces else budget.write_overhead * workload.write_ms.get(candidate.table, 0.0)
    if saved <= penalty:
        return f"write cost on {candidate.table} ({penalty:.1f}) exceeds the time saved ({saved:.1f})"
    if saved - penalty < budget.min_share * workload.total_weight:
        share = (saved - penalty) / workload.total_weight
        return f"saves only {share:.1%} of the workload (< {budget.min_share:.0%})" + (
            " with the indexes already chosen" if chosen else ""
        )
    return _Option(saved, penalty, served, after, replaces)
