"""Pricing details that need no database: the LIMIT-plan trap and representative parameter values."""

from __future__ import annotations

from opskit.db.hypopg import limit_trap
from opskit.db.pg import typed_values


def limit_over(scan: dict[str, object], rows: float = 10) -> dict[str, object]:
    return {"Node Type": "Limit", "Plan Rows": rows, "Total Cost": 5.0, "Plans": [scan]}


def test_a_filtered_walk_of_a_new_sort_index_to_a_limit_is_a_trap() -> None:
    scan = {
        "Node Type": "Index Scan", "Index Name": "<16400>btree_orders_created_at", "Relation Name": "orders",
        "Filter": "(status = 'pending'::text)", "Plan Rows": 2000,
    }  # fmt: skip
    reason = limit_trap(limit_over(scan), {"orders": 6_000_000})
    assert reason is not None and "~29,990 rows" in reason
    assert limit_trap(limit_over({**scan, "Plan Rows": 3_000_000}), {"orders": 6_000_000}) is None  # common match
    assert limit_trap(limit_over({**scan, "Index Name": "orders_created_at_idx"}), {"orders": 6_000_000}) is None
    unfiltered = {k: v for k, v in scan.items() if k != "Filter"}
    assert limit_trap(limit_over(unfiltered), {"orders": 6_000_000}) is None


def test_parameters_get_representative_typed_values_never_null() -> None:
    got = typed_values(["bigint", "interval", "timestamp with time zone", "text[]", "unknown"])
    assert got == [
        "'20'::bigint", "'1 day'::interval", "'yesterday'::timestamp with time zone",
        "'{\"a\",\"a\",\"a\"}'::text[]", "'a'",
    ]  # fmt: skip


def test_a_parameter_compared_to_a_column_gets_the_columns_typical_value() -> None:
    from opskit.db.interface import ColumnStats, Schema, TableInfo
    from opskit.db.pgsql import understand
    from opskit.db.prepare import typical_values

    stats = {"status": ColumnStats(5, typical="delivered"), "customer_id": ColumnStats(8, typical="4711")}
    schema = Schema(tables={"public.orders": TableInfo("public.orders", ("status", "customer_id", "id"), stats=stats)})
    shape = understand("SELECT id FROM orders WHERE status = $1 AND customer_id = $2::bigint LIMIT $3", schema)
    assert typical_values(shape, schema) == {1: "delivered", 2: "4711"}
    got = typed_values(["text", "bigint", "bigint"], {1: "O'Brien"})
    assert got == ["'O''Brien'::text", "'20'::bigint", "'20'::bigint"]
