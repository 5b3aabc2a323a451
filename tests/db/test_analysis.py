"""Fingerprints, query understanding and candidate design: pure functions on realistic SQL."""

from __future__ import annotations

import pytest

from opskit.db.candidates import candidates_for, covering_index, needs
from opskit.db.interface import (
    IndexCandidate,
    IndexKey,
    NotIndexable,
    PredicateKind,
    QueryShape,
    Schema,
    TableInfo,
    UnparseableQuery,
)
from opskit.db.normalize import bind_parameters
from opskit.db.normalize import normalize as fingerprint
from opskit.db.pgsql import understand as understand_with
from opskit.db.schema import parse_index_definition

NO_CATALOG = Schema(tables={})


def understand(sql: str, schema: Schema = NO_CATALOG) -> QueryShape:
    return understand_with(sql, schema)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("SELECT * FROM t WHERE a = 1 AND b = 'x'", "select *  from t where a = 22 and b = 'it''s'"),
        ("SELECT * FROM t WHERE id IN (1, 2, 3)", "SELECT * FROM t WHERE id IN (7)"),
        ("INSERT INTO t (a, b) VALUES (1, 2), (3, 4)", "INSERT INTO t (a, b) VALUES (5, 6)"),
        ("SELECT * FROM t WHERE a = $1 -- by id", "SELECT * FROM t /* hint */ WHERE a = 5"),
    ],
)
def test_same_fingerprint(a: str, b: str) -> None:
    assert fingerprint(a) == fingerprint(b)


def test_different_columns_keep_different_fingerprints() -> None:
    assert fingerprint("SELECT * FROM t1 WHERE col1 = 5") != fingerprint("SELECT * FROM t1 WHERE col2 = 5")
    assert fingerprint("SELECT * FROM t1 WHERE col1 = 5") == "select * from t1 where col1 = ?"


def test_bind_parameters_never_matches_inside_longer_numbers() -> None:
    sql = "SELECT * FROM t WHERE a = $1 AND b = $10 AND c = $11"
    detail = "parameters: $1 = 'one', $10 = 'ten', $11 = NULL"
    assert bind_parameters(sql, detail) == "SELECT * FROM t WHERE a = 'one' AND b = 'ten' AND c = NULL"


def test_understands_joins_aliases_quotes_ctes_and_predicates() -> None:
    shape = understand(
        "WITH recent AS (SELECT * FROM shop.orders WHERE created_at > now() - interval '1 day') "
        'SELECT o.id, c.email FROM recent r JOIN shop.orders o ON o.id = r.id JOIN "Customers" c '
        "ON c.id = o.customer_id WHERE o.status IN ('a', 'b') AND lower(c.email) = 'x@y' "
        "AND o.deleted_at IS NULL AND o.total BETWEEN 1 AND 5 AND (o.a = 1 OR o.b = 2) "
        "ORDER BY o.created_at DESC, o.id LIMIT 10"
    )
    assert set(shape.tables) == {"shop.orders", "public.Customers"}
    kinds = {(p.column.table, p.column.expr, p.kind) for p in shape.predicates}
    assert ("shop.orders", "status", PredicateKind.IN) in kinds
    assert ("shop.orders", "created_at", PredicateKind.RANGE) in kinds  # from the CTE
    assert ("shop.orders", "total", PredicateKind.RANGE) in kinds
    assert ("public.Customers", "lower(email)", PredicateKind.EQ) in kinds
    assert ("shop.orders", "deleted_at", PredicateKind.IS_NULL) in kinds
    branches = {p.column.expr: p.group for p in shape.predicates if p.column.expr in ("a", "b")}
    assert branches["a"] != branches["b"] and 0 not in branches.values()  # one index per OR branch
    assert {(a.expr, b.expr) for a, b in shape.joins} == {("id", "customer_id")}
    assert [(k.column.expr, k.descending) for k in shape.order_by] == [("created_at", True), ("id", False)]
    assert shape.limit


def test_update_delete_and_keyword_named_tables() -> None:
    update = understand("UPDATE accounts SET balance = balance - 5 WHERE user_id = 7 AND kind = 'x'")
    assert update.written_table == "public.accounts"
    assert [p.column.expr for p in update.predicates] == ["user_id", "kind"]
    delete = understand("DELETE FROM events e WHERE e.created_at < now() - interval '90 days'")
    assert delete.written_table == "public.events"
    assert delete.predicates[0].kind == PredicateKind.RANGE


def test_subqueries_in_where() -> None:
    shape = understand(
        "SELECT name FROM products WHERE id IN (SELECT product_id FROM order_items WHERE order_id = 9)"
    )
    assert ("public.order_items", "order_id") in {(p.column.table, p.column.expr) for p in shape.predicates}


@pytest.mark.parametrize("sql", ["SELEC FROM WHERE", "SELECT 1; SELECT 2"])
def test_unparseable(sql: str) -> None:
    with pytest.raises(UnparseableQuery):
        understand(sql)


@pytest.mark.parametrize("sql", ["VACUUM ANALYZE orders", "BEGIN", "SET search_path = app", "SELECT 1", "COMMIT"])
def test_statements_no_index_can_serve(sql: str) -> None:
    with pytest.raises(NotIndexable):
        understand(sql)


def ddls(sql: str) -> set[str]:
    return {c.label() for n in needs(understand(sql)) for c in candidates_for(n)}


def test_candidates_put_equality_then_range_or_sort_with_directions() -> None:
    got = ddls(
        "SELECT id, total FROM orders WHERE customer_id = 5 AND status = 'paid' "
        "ORDER BY created_at DESC LIMIT 20"
    )
    assert (
        "orders_customer_id_status_created_at_idx ON public.orders (customer_id, status, created_at DESC)"
        in got
    )
    assert any("INCLUDE (id, total)" in d for d in got)
    ranged = ddls("SELECT * FROM events WHERE account_id = 3 AND created_at > '2026-01-01'")
    assert "events_account_id_created_at_idx ON public.events (account_id, created_at)" in ranged


def test_partial_and_expression_candidates() -> None:
    got = ddls("SELECT id FROM products WHERE category_id = 3 AND deleted_at IS NULL ORDER BY price LIMIT 5")
    assert (
        "products_category_id_price_partial_idx ON public.products (category_id, price) WHERE deleted_at IS NULL"
        in got
    )
    assert ddls("SELECT * FROM customers WHERE lower(email) = 'a@b'") == {
        "customers_lower_email_idx ON public.customers ((lower(email)))"
    }


def test_existing_index_with_same_leading_columns_covers_a_candidate() -> None:
    existing = [
        parse_index_definition(
            "CREATE INDEX o_cust ON public.orders USING btree (customer_id, created_at DESC)"
        ),
        parse_index_definition(
            "CREATE INDEX p_live ON public.products USING btree (category_id) WHERE (deleted_at IS NULL)"
        ),
        parse_index_definition("CREATE INDEX c_lower ON public.customers USING btree (lower((email)::text))"),
    ]
    single = IndexCandidate("public.orders", (IndexKey("customer_id"),))
    assert covering_index(single, existing) is existing[0]
    other = IndexCandidate("public.orders", (IndexKey("status"),))
    assert covering_index(other, existing) is None
    partial = IndexCandidate("public.products", (IndexKey("category_id"),), where="deleted_at IS NULL")
    assert covering_index(partial, existing) is existing[1]
    full = IndexCandidate("public.products", (IndexKey("category_id"),))
    assert covering_index(full, existing) is None  # a partial index does not serve every query
    expression = IndexCandidate("public.customers", (IndexKey("lower(email)", is_expression=True),))
    assert covering_index(expression, existing) is existing[2]


def test_group_by_gives_the_sort_order_and_selective_equality_columns_lead() -> None:
    grouped = ddls("SELECT kind, count(*) FROM events WHERE account_id = 3 GROUP BY kind")
    assert "events_account_id_kind_idx ON public.events (account_id, kind)" in grouped
    schema = Schema(
        tables={
            "public.orders": TableInfo(
                "public.orders", ("status", "customer_id"), n_distinct={"status": 4.0, "customer_id": 90000.0}
            )
        }
    )
    (n,) = needs(understand("SELECT id FROM orders WHERE status = 'paid' AND customer_id = 7"), schema)
    assert [k.expr for k in n.equality] == ["customer_id", "status"]


def test_views_from_a_schema_dump_are_seen_through() -> None:
    from opskit.db.schema import parse_schema_dump

    schema = parse_schema_dump(
        "CREATE TABLE public.products (\n    id bigint NOT NULL,\n    category_id integer,\n"
        "    deleted_at timestamp with time zone\n);\n\n"
        "CREATE VIEW public.active_products AS\n SELECT products.id,\n    products.category_id\n"
        "   FROM public.products\n  WHERE (products.deleted_at IS NULL);\n",
        "schema.sql",
    )
    assert set(schema.views) == {"public.active_products"}
    shape = understand("SELECT id FROM active_products WHERE category_id = 3", schema)
    assert shape.tables == ("public.products",)
    found = {(p.column.table, p.column.expr, p.kind) for p in shape.predicates}
    assert found == {
        ("public.products", "category_id", PredicateKind.EQ),
        ("public.products", "deleted_at", PredicateKind.IS_NULL),
    }


def test_a_schema_dump_keeps_the_case_of_quoted_columns() -> None:
    from opskit.db.candidates import generate
    from opskit.db.schema import parse_schema_dump

    schema = parse_schema_dump(
        'CREATE TABLE public."Post" (\n    id integer NOT NULL,\n    "authorId" integer NOT NULL,\n'
        "    Title text\n);\n",
        "schema.sql",
    )
    assert schema.columns("public.Post") == ("id", "authorId", "title")
    shape = understand('SELECT id FROM "Post" WHERE "authorId" = $1', schema)
    wanted = generate({"q": shape}, schema).wanted
    assert 'post_authorid_idx ON public."Post" ("authorId")' in [c.label() for c in wanted]  # not "unknown column"


def test_ddl_quotes_names_that_need_it() -> None:
    got = ddls('SELECT "Name" FROM app."Customers" c WHERE c."Region" = 3')
    assert 'customers_region_idx ON app."Customers" ("Region")' in got
    assert 'customers_region_incl_idx ON app."Customers" ("Region") INCLUDE ("Name")' in got


def test_unqualified_names_match_the_one_schema_that_has_them() -> None:
    def known(*names: str) -> Schema:
        return Schema(tables={n: TableInfo(n, ()) for n in names})

    shape = understand("SELECT * FROM invoices i WHERE i.customer_id = 1", known("billing.invoices", "public.x"))
    assert shape.tables == ("billing.invoices",)
    assert shape.predicates[0].column.table == "billing.invoices"
    ambiguous = understand("SELECT * FROM t WHERE a = 1", known("s1.t", "s2.t"))
    assert ambiguous.tables == ("public.t",)


def test_join_using_gives_join_keys_on_both_sides() -> None:
    shape = understand("SELECT * FROM orders o JOIN order_items USING (order_id) WHERE o.customer_id = 3")
    assert [(a.table, a.expr, b.table, b.expr) for a, b in shape.joins] == [
        ("public.orders", "order_id", "public.order_items", "order_id")
    ]
    assert "order_items_order_id_idx ON public.order_items (order_id)" in {
        c.label() for n in needs(shape) for c in candidates_for(n)
    }


def test_of_two_duplicate_indexes_the_used_one_is_kept() -> None:
    from opskit.db.interface import ExistingIndex
    from opskit.db.unused import unused_report

    def index(name: str, scans: int) -> ExistingIndex:
        return ExistingIndex(name, "public.t", ("a",), scans=scans, size_bytes=8192, definition=name)

    for used, idle in (("a_idx", "b_idx"), ("b_idx", "a_idx")):
        report = unused_report([index(used, 120), index(idle, 0)], 0, None, "db")
        assert [(r["index"], r["kind"]) for r in report.data["indexes"]] == [(idle, "duplicate")]


def test_a_view_the_workload_creates_is_seen_through_offline_and_inlined_for_pricing() -> None:
    from opskit.db.normalize import Aggregator
    from opskit.db.prepare import prepare
    from opskit.db.workload import normalise

    agg = Aggregator()
    script = [
        "CREATE VIEW revenue0 (supplier_no, total) AS SELECT l_partkey, sum(l_quantity) FROM lineitem "
        "WHERE l_shipdate >= date '1996-01-01' GROUP BY l_partkey",
        "SELECT supplier_no FROM revenue0 WHERE total = (SELECT max(total) FROM revenue0)",
        "DROP VIEW revenue0",
    ]
    for line, sql in enumerate(script, 1):
        agg.add(sql, None, "q15.sql", line)
    prepared = prepare(normalise(agg.results()), NO_CATALOG)
    ((fp, shape),) = prepared.shapes.items()
    assert shape.tables == ("public.lineitem",)
    assert ("l_shipdate", PredicateKind.RANGE) in {(p.column.expr, p.kind) for p in shape.predicates}
    assert prepared.sql[fp].startswith("WITH revenue0 AS (SELECT * FROM (SELECT l_partkey")


UNIQUE_SCHEMA = (
    "CREATE TABLE public.sessions (\n    key text NOT NULL,\n    user_id bigint,\n    expires timestamp,\n"
    "    tenant integer NOT NULL\n);\n\n"
    "CREATE TABLE public.logins (\n    id bigint NOT NULL,\n    session_key text NOT NULL,\n    at timestamp\n);\n\n"
    "ALTER TABLE ONLY public.sessions\n    ADD CONSTRAINT sessions_pkey PRIMARY KEY (key);\n"
    "CREATE UNIQUE INDEX sessions_tenant_user ON public.sessions USING btree (tenant, user_id);\n"
)


@pytest.mark.parametrize(
    ("sql", "kept", "reason"),
    [
        # a lookup of one row by a unique key needs no other index
        ("SELECT * FROM sessions WHERE key = $1 AND expires > now()", (), "its queries find one row"),
        ("SELECT * FROM sessions WHERE tenant = 1 AND user_id = 2 AND expires > now()", (), "one row"),
        # keys after a unique key's columns add nothing
        ("SELECT * FROM logins l JOIN sessions s ON s.key = l.session_key WHERE s.expires > 5", ("expires",), "uniq"),
        # negatives: part of a unique key is no lookup of one row
        ("SELECT * FROM sessions WHERE tenant = 1 AND expires > now()", ("tenant", "expires"), None),
        ("SELECT * FROM sessions WHERE user_id = 2", ("user_id",), None),
    ],
)
def test_unique_keys_make_other_indexes_useless(sql: str, kept: tuple[str, ...], reason: str | None) -> None:
    from opskit.db.candidates import generate
    from opskit.db.schema import parse_schema_dump

    schema = parse_schema_dump(UNIQUE_SCHEMA, "schema.sql")
    found = generate({"q": understand_with(sql, schema)}, schema)
    on_sessions = {k for c in found.wanted if c.table == "public.sessions" for k in c.columns}
    assert set(kept) <= on_sessions
    if reason is not None:
        assert on_sessions == set(kept)
        assert any(reason in r.reason for r in found.rejected), found.rejected


@pytest.mark.parametrize(
    ("sql", "gin"),
    [
        ("SELECT id FROM users WHERE name ILIKE '%ann%' OR email ILIKE '%ann%'", {"name", "email"}),
        ("SELECT id FROM users WHERE upper(name) LIKE upper('%ann%') OR id = 3", {"upper(name)"}),
        ("SELECT id FROM users WHERE name LIKE 'ann%' OR email = 'x'", set()),  # prefix and equality: btree
    ],
)
def test_every_or_branch_with_a_pattern_gets_a_gin_index(sql: str, gin: set[str]) -> None:
    (n,) = needs(understand(sql))
    assert {k.expr for k in n.gin} == gin


@pytest.mark.parametrize(
    ("sql", "order", "limit"),
    [
        # a top-N subquery, a correlated latest-row subquery, a window: the order an index can deliver
        ("SELECT * FROM (SELECT * FROM posts WHERE a = 1 ORDER BY b DESC NULLS LAST LIMIT 10) p",
         "b DESC NULLS LAST", True),
        ("SELECT id, (SELECT c.at FROM comments c WHERE c.post_id = p.id ORDER BY c.at DESC LIMIT 1) FROM posts p",
         "at DESC", True),
        ("SELECT user_id, row_number() OVER (PARTITION BY user_id ORDER BY at DESC) FROM events WHERE k = 1",
         "user_id, at DESC", False),
        ("SELECT rank() OVER w FROM events WINDOW w AS (PARTITION BY kind ORDER BY at NULLS FIRST)",
         "kind, at NULLS FIRST", False),
        # negatives: the top ORDER BY wins; an inner ORDER BY without LIMIT orders nothing that is kept
        ("SELECT * FROM (SELECT * FROM posts ORDER BY b LIMIT 5) p ORDER BY p.a", "a", False),
        ("SELECT * FROM (SELECT * FROM posts WHERE a = 1 ORDER BY b) p", "", False),
        ("SELECT * FROM (SELECT * FROM posts ORDER BY a, random() LIMIT 3) p", "", False),
    ],
)  # fmt: skip
def test_the_order_rows_are_asked_in(sql: str, order: str, limit: bool) -> None:
    shape = understand(sql)
    keys = [IndexKey(k.column.expr, k.descending, nulls_reversed=k.nulls_reversed).sql() for k in shape.order_by]
    assert (", ".join(keys), shape.limit) == (order, limit)


@pytest.mark.parametrize(
    ("sql", "designs"),
    [
        ("SELECT id FROM posts ORDER BY created_at DESC LIMIT 20", {("created_at",)}),  # stops after 20 rows
        ("SELECT id FROM posts ORDER BY created_at DESC", set()),  # the whole table: a sort is as good
        ("SELECT state, count(*) FROM posts GROUP BY state", set()),
        ("SELECT id FROM posts WHERE a = 1 ORDER BY created_at", {("a",), ("a", "created_at")}),
        ("SELECT p.id FROM posts p JOIN blogs b ON b.id = p.blog_id ORDER BY p.at", {("blog_id",), ("blog_id", "at")}),
    ],
)
def test_an_order_alone_earns_an_index_only_under_a_limit(sql: str, designs: set[tuple[str, ...]]) -> None:
    n = needs(understand(sql))[0]
    assert {tuple(c.columns) for c in candidates_for(n) if not c.include} == designs
