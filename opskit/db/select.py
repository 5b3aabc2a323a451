"""Whole-workload index selection: greedy under budgets, weighted by time, regressions bounded.

Each round tries every remaining candidate together with the indexes already chosen (so index
interaction is priced in), and picks the one that saves the most workload time net of its write
cost. A candidate that makes a query dearer beyond the tolerance is rejected; within it, the
regression is kept and reported with the index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from functools import cached_property

from opskit.db.interface import (
    CostModel,
    IndexCandidate,
    QueryStats,
    Regression,
    Rejection,
    Suggestion,
    UnpricedCandidate,
)

_EPSILON = 1e-6
SERVED = 0.1  # a query counts as served by an index when its cost drops by this share
REPLACE_GAIN = 0.2  # a wider index replaces a chosen one only if it makes a query this much cheaper
NEARLY_EQUAL = 0.05  # among options within 5% of the best saving, the narrowest index wins


@dataclass(frozen=True)
class Budget:
    max_indexes: int = 10
    max_size: int | None = None  # bytes, over all chosen indexes
    min_improvement: float = 0.01  # a next index must save this share of the workload's remaining time
    write_overhead: float = 0.1  # each new index adds this share of a table's write time
    regression_tolerance: float = 0.1  # a query may get this much dearer if the workload gains


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
    regressions: list[Regression]  # queries that get (slightly) dearer

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
    bundles: Sequence[tuple[IndexCandidate, ...]] = (),
    ordered: Set[IndexCandidate] = frozenset(),
) -> tuple[list[Suggestion], list[Rejection]]:
    """Pick indexes greedily until no candidate pays off or a budget is reached.

    Every round prices each remaining candidate (and each bundle: the indexes an OR needs
    together for a BitmapOr) against the workload as it stands with the indexes already chosen,
    so a candidate that was useless alone is tried again once its partner exists. A candidate
    that extends an index already chosen is priced as its replacement.
    """
    queries = list(workload.queries)
    base = model.costs(queries, [])
    current = dict(base)
    chosen: dict[IndexCandidate, Suggestion] = {}
    final: dict[IndexCandidate, str] = {}  # rejections that no later choice can change
    reasons: dict[IndexCandidate, str] = {}  # the latest reason for the others
    remaining = sorted(wanted, key=lambda c: c.label())
    groups = [(c,) for c in remaining] + sorted(
        {b for b in bundles if len(b) > 1 and all(c in wanted for c in b)}, key=lambda b: [c.label() for c in b]
    )
    total = workload.total_weight
    while groups and len(chosen) < budget.max_indexes:
        options = []
        used_size = sum(s.size_bytes or 0 for s in chosen.values())
        for group in groups:
            if len(chosen) + len(group) > budget.max_indexes or any(c in final for c in group):
                continue
            advance()
            try:
                outcome = _price(group, workload, model, budget, list(chosen), base, current)
                size = _size(model, group) if not isinstance(outcome, str) else None
            except UnpricedCandidate as exc:
                final[group[0]] = str(exc)
                continue
            if isinstance(outcome, str):
                permanent = outcome.startswith("makes a query")
                for c in group if len(group) == 1 else ():
                    (final if permanent else reasons)[c] = outcome
                continue
            freed = sum(chosen[c].size_bytes or 0 for c in outcome.replaces)
            if budget.max_size is not None and size is not None and used_size - freed + size > budget.max_size:
                if len(group) == 1:
                    reasons[group[0]] = f"over --max-size ({used_size - freed + size} > {budget.max_size} bytes)"
                continue
            options.append((outcome, size, group))
        groups = [g for g in groups if not any(c in final or c in chosen for c in g)]
        if not options:
            break
        top = max(o[0].net for o in options)
        close = [o for o in options if o[0].net >= (1 - NEARLY_EQUAL) * top]
        # among nearly equal options: one that delivers a LIMIT query's order (a plan that holds
        # for a hot key too, which the planner's average estimate hides), then the smallest
        # (by estimated size when the model knows it, a partial index being a fraction), the narrowest
        option, size, group = min(
            close,
            key=lambda o: (
                not any(c in ordered for c in o[2]),
                o[1] or 0,
                sum(_width(c) for c in o[2]),
                -o[0].net,
                _labels(o[2]),
            ),
        )
        served, saved = list(option.served), option.saved
        for old in option.replaces:
            previous = chosen.pop(old)
            served, saved = [*previous.queries, *served], saved + previous.saved_ms
            final[old] = f"replaced by {group[0].name}, which serves the same queries and more"
        served = list(dict.fromkeys(served))
        for candidate in group:
            share = saved / len(group)
            chosen[candidate] = Suggestion(
                candidate=candidate,
                queries=tuple(served),
                saved_ms=round(share, 3),
                share=round(share / total, 4),
                cost_before=round(sum(base[fp] for fp in served), 2),
                cost_after=round(sum(option.after.get(fp, current[fp]) for fp in served), 2),
                size_bytes=_size(model, (candidate,)),
                regressions=tuple(option.regressions),
            )
        current.update(option.after)
        groups = [g for g in groups if not any(c in chosen for c in g)]
    for group in groups:
        for candidate in group:
            if candidate not in chosen and candidate not in final:
                final[candidate] = reasons.get(candidate) or f"over --max-indexes budget ({budget.max_indexes})"
    for candidate, reason in reasons.items():
        if candidate not in chosen:
            final.setdefault(candidate, reason)
    ranked = sorted(chosen.values(), key=lambda s: (-s.saved_ms, s.candidate.label()))
    return ranked, [Rejection(c, reason) for c, reason in sorted(final.items(), key=lambda kv: kv[0].label())]


def _costed(workload: Weights, base: Mapping[str, float]) -> list[QueryStats]:
    return [q for q in workload.queries if base[q.fingerprint] > 0]


def _labels(group: tuple[IndexCandidate, ...]) -> list[str]:
    return [c.label() for c in group]


def _size(model: CostModel, group: tuple[IndexCandidate, ...]) -> int | None:
    sizes = [model.size(c) for c in group]
    return None if None in sizes else sum(s or 0 for s in sizes)


def _width(candidate: IndexCandidate) -> int:
    """Narrower designs are cheaper to keep: fewer keys, no INCLUDE (a partial index is smaller still)."""
    return len(candidate.keys) + len(candidate.include)


def _price(
    group: tuple[IndexCandidate, ...],
    workload: Weights,
    model: CostModel,
    budget: Budget,
    chosen: list[IndexCandidate],
    base: Mapping[str, float],
    current: Mapping[str, float],
) -> _Option | str:
    """What adding ``group`` (or swapping it in for chosen indexes it extends) saves, or why not.

    The gain must reach ``min_improvement`` of the workload's time as it stands now; a query may
    get dearer by at most ``regression_tolerance`` (each such query is listed), never more.
    """
    replaces = [c for c in chosen if any(extends(candidate, c) for candidate in group)]
    affected = list({q.fingerprint: q for t in sorted({c.table for c in group}) for q in workload.on_table(t)}.values())
    after = model.costs(affected, [*(c for c in chosen if c not in replaces), *group])
    regressions = []
    for q in affected:
        fp = q.fingerprint
        if after[fp] > current[fp] * (1 + budget.regression_tolerance) + _EPSILON:
            return f"makes a query more expensive ({current[fp]:.1f} -> {after[fp]:.1f}): {fp[:80]}"
        if after[fp] > current[fp] * (1 + _EPSILON):
            regressions.append(Regression(fp, current[fp], after[fp]))
    served = [
        q.fingerprint
        for q in affected
        if current[q.fingerprint] - after[q.fingerprint] >= SERVED * current[q.fingerprint] > 0
    ]
    with_chosen = " with the indexes already chosen" if chosen else ""
    if not served:
        return f"no query gets {SERVED:.0%} cheaper{with_chosen}"
    saved = sum(
        workload.weight(q) * (current[q.fingerprint] - after[q.fingerprint]) / base[q.fingerprint]
        for q in affected
        if base[q.fingerprint] > 0
    )
    # a replacement keeps the number of indexes the table maintains on writes
    penalty = 0.0 if replaces else sum(budget.write_overhead * workload.write_ms.get(c.table, 0.0) for c in group)
    if saved <= penalty:
        return f"write cost on {group[0].table} ({penalty:.1f}) exceeds the time saved ({saved:.1f})"
    now = sum(workload.weight(q) * current[q.fingerprint] / base[q.fingerprint] for q in _costed(workload, base))
    if replaces and not any(current[fp] - after[fp] >= REPLACE_GAIN * current[fp] for fp in served):
        return f"no query gets {REPLACE_GAIN:.0%} cheaper than with the index it would replace"
    if saved - penalty < budget.min_improvement * now:
        share = (saved - penalty) / (now or 1.0)
        return f"saves only {share:.1%} of the workload's remaining time (< {budget.min_improvement:.0%}){with_chosen}"
    return _Option(saved, penalty, served, after, replaces, regressions)
