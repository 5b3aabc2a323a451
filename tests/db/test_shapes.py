"""Every SQL shape PostgreSQL accepts reaches a suggested index: real PostgreSQL 15 + HypoPG.

Each case is one statement (or script) a DBA would meet; the test runs the whole pipeline on it
and checks that the predicate the shape hides ends up as the leading key of a suggested index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.core.command import Output
from opskit.db import api
from opskit.db.workload import WorkloadRequest

pytestmark = pytest.mark.postgres

ORDERS, LINEITEM, CUSTOMER = "public.orders", "public.lineitem", "public.customer"

SHAPES = {
    "date literal and interval arithmetic": (
        "SELECT sum(l_quantity) FROM lineitem WHERE l_shipdate >= date '1995-03-15' "
        "AND l_shipdate < date '1995-03-15' + interval '1 day'",
        (LINEITEM, "l_shipdate"),
    ),
    "cast literal ::date": (
        "SELECT o_orderkey FROM orders WHERE o_orderdate = '1995-03-15'::date",
        (ORDERS, "o_orderdate"),
    ),
    "timestamp literal": (
        "SELECT o_orderkey FROM orders WHERE o_created BETWEEN timestamp '2026-01-05 10:00' "
        "AND timestamp '2026-01-05 10:00' + interval '30 minutes'",
        (ORDERS, "o_created"),
    ),
    "number written .06": ("SELECT o_orderkey FROM orders WHERE o_ratio = .06", (ORDERS, "o_ratio")),
    "LEFT JOIN with equality through the join key": (
        "SELECT c.c_name, o.o_orderdate FROM customer c LEFT JOIN orders o ON o.o_custkey = c.c_custkey "
        "WHERE c.c_custkey = 42",
        (ORDERS, "o_custkey"),
    ),
    "RIGHT OUTER JOIN": (
        "SELECT c.c_name, o.o_orderdate FROM orders o RIGHT OUTER JOIN customer c ON o.o_custkey = c.c_custkey "
        "WHERE c.c_name = 'Customer#42'",
        (CUSTOMER, "c_name"),
    ),
    "FULL JOIN": (
        "SELECT b.title FROM authors a FULL JOIN books b ON b.author_id = a.author_id WHERE b.title = 'Book 77'",
        ("public.books", "title"),
    ),
    "JOIN USING": (
        "SELECT title FROM authors JOIN books USING (author_id) WHERE authors.name = 'Author 7'",
        ("public.books", "author_id"),
    ),
    "NATURAL JOIN": (
        "SELECT title FROM authors NATURAL JOIN books WHERE name = 'Author 7'",
        ("public.books", "author_id"),
    ),
    "EXISTS correlated to the outer table": (
        "SELECT o_orderkey FROM orders o WHERE o_orderdate = date '1995-01-02' AND EXISTS "
        "(SELECT 1 FROM lineitem l WHERE l.l_partkey = o.o_custkey AND l.l_quantity > 10)",
        (LINEITEM, "l_partkey"),
    ),
    "NOT EXISTS with unqualified correlated columns": (
        "SELECT c_name FROM customer WHERE c_name = 'Customer#9' AND NOT EXISTS "
        "(SELECT 1 FROM orders WHERE o_custkey = c_custkey AND o_status = 'O')",
        (ORDERS, "o_custkey"),
    ),
    "IN (subquery)": (
        "SELECT c_name FROM customer WHERE c_custkey IN (SELECT o_custkey FROM orders WHERE o_clerk = 'Clerk#7')",
        (ORDERS, "o_clerk"),
    ),
    "scalar subquery in the select list": (
        "SELECT c.c_name, (SELECT max(o.o_orderdate) FROM orders o WHERE o.o_custkey = c.c_custkey) "
        "FROM customer c WHERE c.c_segment = 'AUTO' AND c.c_custkey < 50",
        (ORDERS, "o_custkey"),
    ),
    "CTE inlined": (
        "WITH recent AS (SELECT * FROM orders WHERE o_orderdate >= date '1997-01-01') "
        "SELECT o_orderkey FROM recent WHERE o_clerk = 'Clerk#12'",
        (ORDERS, "o_clerk"),
    ),
    "CTE NOT MATERIALIZED": (
        "WITH mine AS NOT MATERIALIZED (SELECT o_orderkey, o_custkey FROM orders) "
        "SELECT o_orderkey FROM mine WHERE o_custkey = 77",
        (ORDERS, "o_custkey"),
    ),
    "view from the live catalog": (
        "SELECT o_orderkey FROM open_orders WHERE o_custkey = 77",
        (ORDERS, "o_custkey"),
    ),
    "ORDER BY an ordinal": (
        "SELECT o_orderdate, o_orderkey FROM orders WHERE o_custkey = 5 ORDER BY 1 DESC LIMIT 5",
        (ORDERS, "o_custkey"),
    ),
    "ORDER BY an alias": (
        "SELECT o_orderkey, o_created AS placed FROM orders ORDER BY placed DESC LIMIT 10",
        (ORDERS, "o_created DESC"),
    ),
    "quoted, mixed-case, schema-qualified names": (
        'SELECT i."Price" FROM "Shop"."Items" i WHERE i."SKU" = \'SKU-77\'',
        ("Shop.Items", '"SKU"'),
    ),
    "equality propagated through a join key": (
        "SELECT p.title FROM blogs b JOIN posts p ON b.id = p.blog_id WHERE b.id = 1",
        ("public.posts", "blog_id"),
    ),
    "IN list": (
        "SELECT o_orderkey FROM orders WHERE o_clerk IN ('Clerk#1', 'Clerk#2', 'Clerk#3')",
        (ORDERS, "o_clerk"),
    ),
    "= ANY($1)": ("SELECT o_orderkey FROM orders WHERE o_custkey = ANY($1)", (ORDERS, "o_custkey")),
    "IS NULL": ("SELECT count(*) FROM orders WHERE o_shipped_at IS NULL", (ORDERS, "o_shipped_at")),
    "IS NOT NULL": (
        "SELECT o_orderkey FROM orders WHERE o_cancelled_at IS NOT NULL",
        (ORDERS, "o_cancelled_at"),
    ),
}


def suggested(dsn: str, path: Path) -> list[tuple[str, tuple[str, ...], str | None]]:
    request = api.AdviceRequest(workload=WorkloadRequest(logs=(str(path),)), dsn=dsn)
    report = api.suggest_indexes(request, Output(fmt="json", quiet=True))
    return [(ix["table"], tuple(ix["keys"]), ix["where"]) for ix in report.data["indexes"]]


def leads(found: list[tuple[str, tuple[str, ...], str | None]], table: str, key: str) -> bool:
    """An index on ``table`` leads with ``key``, or is partial on it (IS NULL shapes)."""
    bare = key.split()[0].strip('"')
    return any(t == table and (keys[0] == key or (where or "").startswith(bare)) for t, keys, where in found)


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_the_predicate_reaches_a_suggested_index(shapes_dsn: str, tmp_path: Path, name: str) -> None:
    sql, (table, key) = SHAPES[name]
    path = tmp_path / "workload.sql"
    path.write_text(sql + ";\n")
    found = suggested(shapes_dsn, path)
    assert leads(found, table, key), found


def test_an_or_gets_one_index_per_branch_for_a_bitmap_or(shapes_dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "or.sql"
    path.write_text("SELECT o_orderkey FROM orders WHERE o_custkey = 5 OR o_clerk = 'Clerk#1';\n")
    found = suggested(shapes_dsn, path)
    assert leads(found, ORDERS, "o_custkey") and leads(found, ORDERS, "o_clerk"), found


def test_a_script_that_creates_uses_and_drops_a_view(shapes_dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "q15.sql"
    path.write_text(
        "CREATE VIEW revenue0 (supplier_no, total) AS SELECT l_partkey, sum(l_quantity) FROM lineitem\n"
        "  WHERE l_shipdate >= date '1996-01-01' AND l_shipdate < date '1996-01-01' + interval '1 day'\n"
        "  GROUP BY l_partkey;\n"
        "SELECT supplier_no, total FROM revenue0 WHERE total = (SELECT max(total) FROM revenue0);\n"
        "DROP VIEW revenue0;\n"
    )
    found = suggested(shapes_dsn, path)
    assert leads(found, LINEITEM, "l_shipdate"), found


def test_pg_stat_statements_with_interval_parameters_are_priced(shapes_dsn: str) -> None:
    """pg_stat_statements writes ``interval $2``, which cannot be prepared as written."""
    import psycopg

    with psycopg.connect(shapes_dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute(  # this database's entries only: other tests share the server
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)"
        )
        for hours in range(1, 6):
            conn.execute(
                f"SELECT o_orderkey FROM orders WHERE o_created >= timestamp '2026-03-01 00:00' "
                f"AND o_created < timestamp '2026-03-01 00:00' + interval '{hours} hours'"
            )
    request = api.AdviceRequest(workload=WorkloadRequest(from_pg_stat_statements=True), dsn=shapes_dsn)
    report = api.suggest_indexes(request, Output(fmt="json", quiet=True))
    priced = [q["sample"] for q in report.data["queries"] if "interval $" in q["sample"]]
    assert priced, report.data["queries"]
    assert not [n for n in report.notes if "cannot price" in n]
    found = [(ix["table"], tuple(ix["keys"]), ix["where"]) for ix in report.data["indexes"]]
    assert leads(found, ORDERS, "o_created"), found


def test_a_rare_value_of_a_skewed_column_gets_a_partial_index_with_the_sort_key(
    shapes_dsn: str, tmp_path: Path
) -> None:
    path = tmp_path / "pending.sql"  # 'O' is 1% of orders, per pg_stats' most common values
    path.write_text("SELECT o_orderkey FROM orders WHERE o_status = 'O' ORDER BY o_created DESC LIMIT 20;\n")
    assert (ORDERS, ("o_created DESC",), "o_status = 'O'") in suggested(shapes_dsn, path)


def test_like_prefix_under_a_non_c_collation_gets_text_pattern_ops(shapes_dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "prefix.sql"
    path.write_text("SELECT c_custkey FROM customer WHERE c_name LIKE 'Customer#1234%';\n")
    assert (CUSTOMER, ("c_name text_pattern_ops",), None) in suggested(shapes_dsn, path)


def test_containment_and_infix_patterns_get_gin_advice_with_pg_trgm_status(shapes_dsn: str, tmp_path: Path) -> None:
    path = tmp_path / "gin.sql"
    path.write_text(
        "SELECT book_id FROM books WHERE meta @> '{\"genre\": \"g7\"}';\n"
        "SELECT book_id FROM books WHERE title ILIKE '%ook 123%';\n"
    )
    request = api.AdviceRequest(workload=WorkloadRequest(logs=(str(path),)), dsn=shapes_dsn)
    report = api.suggest_indexes(request, Output(fmt="json", quiet=True))
    ddls = {a["ddl"] for a in report.data["advisory"]}
    assert "CREATE INDEX CONCURRENTLY books_meta_gin_idx ON public.books USING gin (meta);" in ddls
    assert "CREATE INDEX CONCURRENTLY books_title_trgm_idx ON public.books USING gin (title gin_trgm_ops);" in ddls
    assert any("run CREATE EXTENSION pg_trgm first" in note for note in report.notes)


SIZED = [
    ("public.orders", ("o_custkey",), None),  # ~7 rows per key: posting lists
    ("public.orders", ("o_status",), None),  # two values: deduplicated to almost nothing per row
    ("public.orders", ("o_clerk",), None),  # text
    ("public.orders", ("o_ratio",), None),  # numeric: no deduplication
    ("public.orders", ("o_custkey", "o_orderdate"), None),  # correlated columns: sampled
    ("public.lineitem", ("l_partkey", "l_quantity"), None),
    ("public.books", ("title",), None),  # unique text
    ("public.orders", ("o_created",), "o_status = 'O'"),  # partial on a rare value
    ("public.orders", ("o_shipped_at",), None),  # with NULLs
]


def test_estimated_sizes_are_within_25_percent_of_real_create_index(shapes_dsn: str) -> None:
    from opskit.db.hypopg import HypoPGCostModel
    from opskit.db.interface import IndexCandidate, IndexKey
    from opskit.db.pg import Database
    from opskit.db.prepare import PreparedWorkload

    with Database(shapes_dsn) as db:
        schema = db.schema({table for table, _, _ in SIZED})
        model = HypoPGCostModel(db, PreparedWorkload((), {}, {}, schema))
        for table, columns, where in SIZED:
            candidate = IndexCandidate(table, tuple(IndexKey(c) for c in columns), where=where)
            hypopg = db.hypothetical_size(db.hypothetical(candidate))
            db.reset_hypothetical()
            estimate = model.size(candidate)
            db.conn.execute(candidate.ddl(concurrently=False))
            try:
                real = db.fetch("SELECT pg_relation_size(%s::regclass)", [candidate.name])[0][0]
            finally:
                db.conn.execute(f"DROP INDEX {candidate.name}")
            assert estimate is not None and abs(estimate / real - 1) <= 0.25, (candidate.label(), estimate, real)
            if columns == ("o_status",):
                assert hypopg > 2 * real  # what HypoPG alone would have said


def test_a_sort_index_that_would_filter_its_way_to_a_limit_is_not_counted(shapes_dsn: str, tmp_path: Path) -> None:
    """o_ratio < 0.001 matches 99 of the oldest rows: walking o_created DESC reads all 200k (the trap)."""
    path = tmp_path / "trap.sql"
    path.write_text(
        "SELECT o_orderkey FROM orders ORDER BY o_created DESC LIMIT 10;\n"
        "SELECT o_orderkey FROM orders WHERE o_ratio < 0.001 ORDER BY o_created DESC LIMIT 10;\n"
    )
    request = api.AdviceRequest(workload=WorkloadRequest(logs=(str(path),)), dsn=shapes_dsn)
    report = api.suggest_indexes(request, Output(fmt="json", quiet=True))
    serving = {ix["name"]: ix["queries"] for ix in report.data["indexes"]}
    filtered = next(q["fingerprint"] for q in report.data["queries"] if "o_ratio" in q["fingerprint"])
    assert filtered not in serving["orders_o_created_idx"]
    assert filtered in serving["orders_o_ratio_idx"]
    assert any("LIMIT-plan trap" in note and "rows on <" in note for note in report.notes)
