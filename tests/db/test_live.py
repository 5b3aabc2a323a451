"""suggest-indexes and unused-indexes against the real PostgreSQL 15 + HypoPG of the harness."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from opskit.core.errors import ServiceError
from opskit.db.pg import Database

pytestmark = pytest.mark.postgres

FIXTURES = Path(__file__).parent / "fixtures"
WORKLOAD = str(FIXTURES / "live_workload.log")


def opskit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opskit", *args], capture_output=True, text=True, timeout=180, check=False
    )


def url(dsn: str) -> str:
    p = conninfo_to_dict(dsn)
    return f"postgresql://{p['user']}:{p['password']}@{p['host']}:{p['port']}/{p['dbname']}"


def suggest(dsn: str, *extra: str, log: str = WORKLOAD) -> dict:
    done = opskit("db", "suggest-indexes", log, "--dsn", url(dsn), "--format", "json", *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_finds_single_multicolumn_order_by_join_partial_and_expression_indexes(shop_dsn: str) -> None:
    report = suggest(shop_dsn)
    got = {(ix["table"], tuple(ix["keys"]), ix["where"]) for ix in report["indexes"]}
    assert ("public.orders", ("customer_id", "created_at DESC"), None) in got  # multi-column with ORDER BY
    assert ("public.customers", ("(lower(email))",), None) in got  # expression
    assert ("public.order_items", ("product_id",), None) in got  # join key
    assert ("public.events", ("account_id",), None) in got  # single column
    assert ("public.products", ("category_id",), "deleted_at IS NULL") in got  # partial
    for ix in report["indexes"]:
        assert ix["ddl"].startswith("CREATE INDEX CONCURRENTLY ") and ix["ddl"].endswith(";")
        assert ix["cost_after"] < ix["cost_before"] and ix["validated"] and ix["size_bytes"] > 0
        assert ix["queries"] and all(
            q in {x["fingerprint"] for x in report["queries"]} for q in ix["queries"]
        )
    shares = [ix["saved"] for ix in report["indexes"]]
    assert shares == sorted(shares, reverse=True)
    assert report["findings"][0]["rule_id"] == "db.missing-index"
    unpriced = [n for n in report["notes"] if "nosuchtable" in n]  # listed with its line, reason and share
    assert unpriced and unpriced[0].startswith(f"{WORKLOAD}:19: cannot price (")
    assert "% of workload time): relation \"nosuchtable\" does not exist" in unpriced[0]


def test_does_not_suggest_indexes_that_exist(shop_dsn: str) -> None:
    report = suggest(shop_dsn)
    tables_keys = {(ix["table"], ix["keys"][0]) for ix in report["indexes"]}
    assert ("public.sessions", "token") not in tables_keys  # unique constraint index
    assert ("public.order_items", "order_id") not in tables_keys  # plain index
    assert ("public.orders", "id") not in tables_keys  # primary key
    reasons = {r["ddl"]: r["reason"] for r in report["rejected"]}
    assert reasons["CREATE INDEX CONCURRENTLY sessions_token_idx ON public.sessions (token);"] == (
        "covered by existing index sessions_token_key"
    )


def test_budgets_limit_the_choice(shop_dsn: str) -> None:
    one = suggest(shop_dsn, "--max-indexes", "1")
    assert [ix["keys"] for ix in one["indexes"]] == [["customer_id", "created_at DESC"]]
    assert any("over --max-indexes" in r["reason"] for r in one["rejected"])
    small = suggest(shop_dsn, "--max-size", "1MB")
    assert all(ix["size_bytes"] <= 1 << 20 for ix in small["indexes"])
    assert [ix["where"] for ix in small["indexes"]] == ["deleted_at IS NULL"]


def test_text_report_and_password_never_shown(shop_dsn: str) -> None:
    password = conninfo_to_dict(shop_dsn)["password"]
    done = opskit("db", "suggest-indexes", WORKLOAD, "--dsn", url(shop_dsn), "-v")
    assert done.returncode == 0
    assert "#1  CREATE INDEX CONCURRENTLY orders_customer_id_created_at_" in done.stdout  # INCLUDE or not
    assert "Rejected candidates" in done.stdout and "covered by existing index" in done.stdout
    assert password not in done.stdout + done.stderr


def test_wrong_password_and_unreachable_server_are_one_line_service_errors(shop_dsn: str) -> None:
    params = conninfo_to_dict(shop_dsn)
    wrong = (
        f"postgresql://{params['user']}:Sup3r-Secret-pw@{params['host']}:{params['port']}/{params['dbname']}"
    )
    done = opskit("db", "suggest-indexes", WORKLOAD, "--dsn", wrong)
    assert done.returncode == 3
    assert "Sup3r-Secret-pw" not in done.stdout + done.stderr
    assert "password authentication failed" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    down = opskit("db", "unused-indexes", "--dsn", "postgresql://u:Sup3r-Secret-pw@127.0.0.1:1/x")
    assert down.returncode == 3 and "Sup3r-Secret-pw" not in down.stderr and "cannot connect" in down.stderr
    with pytest.raises(ServiceError) as caught:
        Database(wrong)
    assert "Sup3r-Secret-pw" not in str(caught.value)


def test_generic_plan_for_parameterised_statements(shop_dsn: str) -> None:
    with Database(shop_dsn) as db:
        generic = db.explain_cost(
            "SELECT id FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT $2"
        )
        assert generic > 0
        assert db.hypopg_version() >= (1, 1, 0)


def test_from_pg_stat_statements(shop_dsn: str) -> None:
    with psycopg.connect(shop_dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute(  # this database only: the server is shared
            "SELECT pg_stat_statements_reset(0, (SELECT oid FROM pg_database WHERE datname = current_database()), 0)"
        )
        for customer in range(1, 30):
            conn.execute(
                "SELECT id, status FROM orders WHERE customer_id = %s ORDER BY created_at DESC LIMIT 20",
                [customer],
            )
    done = opskit(
        "db", "suggest-indexes", "--dsn", url(shop_dsn), "--from-pg-stat-statements", "--format", "json"
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert ["customer_id", "created_at"] in [ix["columns"] for ix in report["indexes"]]


def test_create_builds_the_chosen_index_concurrently(shop_dsn: str) -> None:
    try:
        report = suggest(shop_dsn, "--max-indexes", "1", "--create", "--lock-timeout", "2000")
        assert report["indexes"][0]["name"] == "orders_customer_id_created_at_idx"
        with psycopg.connect(shop_dsn) as conn:
            row = conn.execute(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_customer_id_created_at_idx'"
            ).fetchone()
        assert row is not None and "(customer_id, created_at DESC)" in row[0]
        again = suggest(shop_dsn)  # the index now exists, so it is no longer suggested
        assert ["customer_id", "created_at DESC"] not in [ix["keys"] for ix in again["indexes"]]
    finally:
        with psycopg.connect(shop_dsn, autocommit=True) as conn:
            conn.execute("DROP INDEX IF EXISTS orders_customer_id_created_at_idx")


def test_unused_duplicate_and_prefix_redundant_indexes(shop_dsn: str) -> None:
    extra = {
        "events_kind_idx": "CREATE INDEX events_kind_idx ON events (kind)",
        "sessions_token_copy_idx": "CREATE INDEX sessions_token_copy_idx ON sessions (token)",
        "order_items_order_product_idx": (
            "CREATE INDEX order_items_order_product_idx ON order_items (order_id, product_id)"
        ),
    }
    with psycopg.connect(shop_dsn, autocommit=True) as conn:
        for ddl in extra.values():
            conn.execute(ddl)
    try:
        done = opskit("db", "unused-indexes", "--dsn", url(shop_dsn), "--format", "json")
        assert done.returncode == 0, done.stderr
        rows = {r["index"]: r for r in json.loads(done.stdout)["indexes"]}
        assert rows["sessions_token_copy_idx"]["kind"] == "duplicate"
        assert rows["order_items_order_id_idx"]["kind"] == "prefix"
        assert rows["events_kind_idx"]["kind"] == "unused" and rows["events_kind_idx"]["size_bytes"] > 0
        assert "sessions_token_key" not in rows and "orders_pkey" not in rows  # constraints stay
        assert "order_items_order_product_idx" not in rows  # the wider index is the one to keep
        text = opskit("db", "unused-indexes", "--dsn", url(shop_dsn))
        assert "DROP INDEX CONCURRENTLY public.events_kind_idx;" in text.stdout
        assert conninfo_to_dict(shop_dsn)["password"] not in text.stdout + text.stderr
    finally:
        with psycopg.connect(shop_dsn, autocommit=True) as conn:
            for name in extra:
                conn.execute(f"DROP INDEX IF EXISTS {name}")


def one_statement_log(tmp_path: Path, sql: str) -> str:
    """A stderr log holding one timed statement."""
    log = tmp_path / "one.log"
    log.write_text(
        f"2026-11-23 10:00:00.101 UTC [7001] shop@shop LOG:  duration: 9.000 ms  statement: {sql}\n"
    )
    return str(log)


def test_queries_on_views_get_indexes_on_the_tables_behind_them(shop_dsn: str, tmp_path: Path) -> None:
    report = suggest(
        shop_dsn,
        log=one_statement_log(tmp_path, "SELECT id, title FROM active_products WHERE category_id = 42"),
    )
    assert [(ix["table"], ix["keys"]) for ix in report["indexes"]] == [("public.products", ["category_id"])]
    # the view's own filter became a partial candidate, which the planner did not use through the view
    assert "products_category_id_partial_idx" in " ".join(r["ddl"] for r in report["rejected"])


def test_unqualified_names_follow_the_search_path(shop_dsn: str, tmp_path: Path) -> None:
    report = suggest(
        shop_dsn, log=one_statement_log(tmp_path, "SELECT id, amount FROM invoices WHERE customer_id = 77")
    )
    assert [(ix["table"], ix["keys"]) for ix in report["indexes"]] == [("billing.invoices", ["customer_id"])]
    assert " ON billing.invoices (customer_id)" in report["indexes"][0]["ddl"]


def test_a_failed_concurrent_build_is_one_line_and_leaves_no_invalid_index(shop_dsn: str) -> None:
    with psycopg.connect(shop_dsn) as blocker:
        # an open snapshot makes CREATE INDEX CONCURRENTLY wait after it created the catalog entry
        blocker.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        blocker.execute("SELECT count(*) FROM customers").fetchone()
        done = opskit(
            "db", "suggest-indexes", WORKLOAD, "--dsn", url(shop_dsn), "--max-indexes", "1",
            "--create", "--lock-timeout", "300",
        )  # fmt: skip
        blocker.rollback()
    assert done.returncode == 3
    assert "lock timeout" in done.stderr and "INVALID index it left was dropped" in done.stderr
    assert conninfo_to_dict(shop_dsn)["password"] not in done.stderr
    with psycopg.connect(shop_dsn) as conn:
        left = conn.execute(
            "SELECT 1 FROM pg_class WHERE relname = 'orders_customer_id_created_at_idx'"
        ).fetchone()
    assert left is None
