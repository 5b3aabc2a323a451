"""Whole-workload greedy selection with a scripted cost model: interaction, regressions, budgets."""

from __future__ import annotations

from collections.abc import Sequence

from opskit.db.interface import CostModel, IndexCandidate, IndexKey, QueryStats
from opskit.db.select import Budget, Weights, choose


def query(fp: str, total_ms: float) -> QueryStats:
    return QueryStats(
        fp, calls=10, total_ms=total_ms, mean_ms=total_ms / 10, p95_ms=None, sample=fp, source="x", line=1
    )


def index(table: str, *cols: str) -> IndexCandidate:
    return IndexCandidate(f"public.{table}", tuple(IndexKey(c) for c in cols))


A = index("orders", "customer_id")
AB = index("orders", "customer_id", "created_at")
REGRESS = index("orders", "status")
EVENTS = index("events", "account_id")


class Scripted(CostModel):
    """Costs per query from the best index present; REGRESS makes the report query worse."""

    costs_by_index = {
        "by_customer": {A: 20.0, AB: 5.0},
        "report": {REGRESS: 150.0},
        "by_account": {EVENTS: 1.0},
    }
    base = {"by_customer": 100.0, "report": 100.0, "by_account": 100.0}

    def costs(self, queries: Sequence[QueryStats], config: Sequence[IndexCandidate]) -> dict[str, float]:
        out = {}
        for q in queries:
            options = [c for ix, c in self.costs_by_index[q.fingerprint].items() if ix in config]
            out[q.fingerprint] = self.base[q.fingerprint] if not options else options[-1]
            if REGRESS in config and q.fingerprint == "report":
                out[q.fingerprint] = 150.0
            if q.fingerprint == "by_customer" and options:
                out[q.fingerprint] = min(options)
        return out

    def size(self, candidate: IndexCandidate) -> int | None:
        return 1000 * len(candidate.keys)


WORKLOAD = Weights(
    queries=(query("by_customer", 800.0), query("report", 150.0), query("by_account", 50.0)),
    tables={
        "by_customer": frozenset({"public.orders"}),
        "report": frozenset({"public.orders"}),
        "by_account": frozenset({"public.events"}),
    },
    write_ms={},
)
WANTED = {A: {"by_customer"}, AB: {"by_customer"}, REGRESS: {"report"}, EVENTS: {"by_account"}}


def test_greedy_picks_by_time_saved_and_prices_interaction() -> None:
    chosen, rejected = choose(WORKLOAD, WANTED, Scripted(), Budget())
    assert [s.candidate for s in chosen] == [AB, EVENTS]
    assert chosen[0].cost_before == 100.0 and chosen[0].cost_after == 5.0
    assert chosen[0].share > chosen[1].share
    reasons = {r.candidate: r.reason for r in rejected}
    assert reasons[REGRESS].startswith("makes a query more expensive (100.0 -> 150.0)")
    assert reasons[A] == "no query gets 10% cheaper with the indexes already chosen"


def test_narrower_index_wins_when_savings_are_nearly_equal() -> None:
    nearly = Scripted()
    nearly.costs_by_index = {**Scripted.costs_by_index, "by_customer": {A: 6.0, AB: 5.0}}
    chosen, _ = choose(WORKLOAD, WANTED, nearly, Budget())
    assert chosen[0].candidate == A


def test_budgets_and_write_cost() -> None:
    chosen, rejected = choose(WORKLOAD, WANTED, Scripted(), Budget(max_indexes=1))
    assert [s.candidate for s in chosen] == [AB]
    assert {r.candidate: r.reason for r in rejected}[EVENTS] == "over --max-indexes budget (1)"
    sized, rejected = choose(WORKLOAD, WANTED, Scripted(), Budget(max_size=1500))
    assert [s.candidate for s in sized] == [A]  # AB alone is 2000 bytes; EVENTS would be 2000 in all
    reasons = {r.candidate: r.reason for r in rejected}
    assert "over --max-size" in reasons[AB] and "over --max-size" in reasons[EVENTS]
    heavy_writes = Weights(WORKLOAD.queries, WORKLOAD.tables, write_ms={"public.events": 10_000.0})
    chosen, rejected = choose(heavy_writes, WANTED, Scripted(), Budget())
    assert EVENTS not in [s.candidate for s in chosen]
    assert {r.candidate: r.reason for r in rejected}[EVENTS].startswith("write cost on public.events")


def test_write_time_comes_from_the_log_or_else_from_catalog_write_share() -> None:
    from opskit.db.advisor import weights
    from opskit.db.interface import Schema, TableInfo
    from opskit.db.pgsql import understand
    from opskit.db.prepare import PreparedWorkload

    queries = [
        query("select * from orders where customer_id = ?", 900.0),
        query("update orders set status = ? where id = ?", 100.0),
        query("select * from events where account_id = ?", 300.0),
    ]
    schema = Schema(
        tables={
            "public.events": TableInfo("public.events", ("account_id",), writes=3000, reads=1000),
            "public.orders": TableInfo("public.orders", ("id",), writes=10**6, reads=1),
        }
    )
    shapes = {q.fingerprint: understand(q.fingerprint.replace("?", "1"), schema) for q in queries}
    workload = weights(PreparedWorkload(tuple(queries), shapes, {}, schema))
    assert workload.write_ms["public.orders"] == 100.0  # the log's own UPDATE time wins
    assert workload.write_ms["public.events"] == 300.0 * 0.75 / 0.25  # 75% of rows touched were writes


def test_a_candidate_the_model_cannot_price_is_rejected_not_fatal() -> None:
    from opskit.db.interface import UnpricedCandidate

    class Refusing(Scripted):
        def costs(self, queries: Sequence[QueryStats], config: Sequence[IndexCandidate]) -> dict[str, float]:
            if EVENTS in config:
                raise UnpricedCandidate("HypoPG cannot create it: data type jsonb has no default operator class")
            return super().costs(queries, config)

    chosen, rejected = choose(WORKLOAD, WANTED, Refusing(), Budget())
    assert [s.candidate for s in chosen] == [AB]
    assert {r.candidate: r.reason for r in rejected}[EVENTS].startswith("HypoPG cannot create it")


def test_a_wider_index_replaces_the_chosen_one_it_extends() -> None:
    narrow_first = Scripted()
    narrow_first.costs_by_index = {**Scripted.costs_by_index, "by_customer": {A: 9.0, AB: 5.0}}
    chosen, rejected = choose(WORKLOAD, WANTED, narrow_first, Budget())
    assert [s.candidate for s in chosen] == [AB, EVENTS]  # A was chosen first, then swapped out
    assert chosen[0].queries == ("by_customer",) and chosen[0].cost_after == 5.0
    assert {r.candidate: r.reason for r in rejected}[A].startswith("replaced by orders_customer_id_created_at_idx")


class Table(CostModel):
    """Costs from a table of (query, frozenset of indexes present) -> cost; base cost otherwise."""

    def __init__(self, base: dict[str, float], table: dict[tuple[str, frozenset[IndexCandidate]], float]) -> None:
        self.base, self.table = base, table

    def costs(self, queries: Sequence[QueryStats], config: Sequence[IndexCandidate]) -> dict[str, float]:
        out = {}
        for q in queries:
            present = [c for (fp, need), c in self.table.items() if fp == q.fingerprint and need <= set(config)]
            out[q.fingerprint] = min(present, default=self.base[q.fingerprint])
        return out

    def size(self, candidate: IndexCandidate) -> int | None:
        return 1000


def test_the_minimum_gain_is_measured_against_the_workload_with_the_chosen_indexes() -> None:
    small = index("events", "kind")
    workload = Weights(
        queries=(query("heavy", 950.0), query("light", 50.0)),
        tables={"heavy": frozenset({"public.orders"}), "light": frozenset({"public.events"})},
        write_ms={},
    )
    model = Table(
        {"heavy": 100.0, "light": 100.0},
        {("heavy", frozenset({A})): 1.0, ("light", frozenset({small})): 20.0},
    )
    wanted = {A: {"heavy"}, small: {"light"}}
    # "light" is 4% of the original workload, but 80% of what is left once A is chosen
    chosen, _ = choose(workload, wanted, model, Budget(min_improvement=0.05))
    assert [s.candidate for s in chosen] == [A, small]
    chosen, rejected = choose(workload, wanted, model, Budget(min_improvement=0.9))
    assert [s.candidate for s in chosen] == [A]
    assert "of the workload's remaining time" in {r.candidate: r.reason for r in rejected}[small]


def test_a_slightly_dearer_rare_query_is_allowed_within_the_tolerance_and_listed() -> None:
    workload = Weights(
        queries=(query("common", 900.0), query("rare", 10.0)),
        tables={"common": frozenset({"public.orders"}), "rare": frozenset({"public.orders"})},
        write_ms={},
    )
    model = Table({"common": 100.0, "rare": 100.0}, {("common", frozenset({A})): 5.0, ("rare", frozenset({A})): 105.0})
    chosen, _ = choose(workload, {A: {"common"}}, model, Budget(regression_tolerance=0.1))
    assert [s.candidate for s in chosen] == [A]
    assert [(r.fingerprint, r.cost_before, r.cost_after) for r in chosen[0].regressions] == [("rare", 100.0, 105.0)]
    chosen, rejected = choose(workload, {A: {"common"}}, model, Budget(regression_tolerance=0.02))
    assert not chosen and rejected[0].reason.startswith("makes a query more expensive (100.0 -> 105.0)")


def test_an_or_needs_both_indexes_and_gets_them_as_a_bundle() -> None:
    clerk = index("orders", "clerk")
    workload = Weights(queries=(query("either", 100.0),), tables={"either": frozenset({"public.orders"})}, write_ms={})
    model = Table({"either": 100.0}, {("either", frozenset({A, clerk})): 3.0})
    chosen, _ = choose(workload, {A: {"either"}, clerk: {"either"}}, model, Budget())
    assert not chosen  # neither alone helps
    chosen, _ = choose(workload, {A: {"either"}, clerk: {"either"}}, model, Budget(), bundles=[(A, clerk)])
    assert {s.candidate for s in chosen} == {A, clerk}
