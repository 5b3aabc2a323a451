"""A realistic PostgreSQL stderr log of a shop application's workload, of any size.

Used by bench/db_bench.py (hundreds of MB) and to regenerate examples/db/postgresql.log.
log_line_prefix = '%m [%p] %q%u@%d ', log_min_duration_statement = 0: statements with their
duration, extended-protocol executes with their parameters, multi-line statements, parse/bind
lines, connection and checkpoint chatter, and an error with its STATEMENT.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta

Query = Callable[[random.Random], tuple[str, str | None, float]]


def _orders_by_customer(r: random.Random) -> tuple[str, str | None, float]:
    return (
        f"SELECT id, status, total FROM orders WHERE customer_id = {r.randint(1, 50000)} "
        "ORDER BY created_at DESC LIMIT 20",
        None,
        r.uniform(20, 90),
    )


def _customer_by_email(r: random.Random) -> tuple[str, str | None, float]:
    return (
        "SELECT id, name, email FROM customers WHERE lower(email) = lower($1)",
        f"parameters: $1 = 'User{r.randint(1, 50000)}@Example.com'",
        r.uniform(15, 40),
    )


def _pending_orders(r: random.Random) -> tuple[str, str | None, float]:
    return (
        "SELECT o.id, o.total, c.name FROM orders o JOIN customers c ON c.id = o.customer_id "
        f"WHERE o.status = 'pending' AND o.created_at > now() - interval '{r.randint(1, 6)} hours'",
        None,
        r.uniform(40, 120),
    )


def _items_of_product(r: random.Random) -> tuple[str, str | None, float]:
    return (
        f"SELECT count(*) FROM order_items WHERE product_id = {r.randint(1, 5000)}",
        None,
        r.uniform(10, 30),
    )


def _session(r: random.Random) -> tuple[str, str | None, float]:
    return (
        "SELECT id, customer_id, expires_at FROM sessions WHERE token = $1",
        f"parameters: $1 = '{r.getrandbits(64):016x}'",
        r.uniform(0.02, 0.08),
    )


def _ship_order(r: random.Random) -> tuple[str, str | None, float]:
    return (
        f"UPDATE orders SET status = 'shipped', updated_at = now() WHERE id = {r.randint(1, 500000)}",
        None,
        r.uniform(0.05, 0.2),
    )


def _insert_event(r: random.Random) -> tuple[str, str | None, float]:
    return (
        "INSERT INTO events (account_id, kind, payload, created_at) VALUES ($1, $2, $3, now())",
        f"parameters: $1 = '{r.randint(1, 20000)}', $2 = 'page_view', $3 = '{{\"path\": \"/p/{r.randint(1, 999)}\"}}'",
        r.uniform(0.05, 0.3),
    )


def _products_in_category(r: random.Random) -> tuple[str, str | None, float]:
    return (
        f"SELECT id, title, price FROM products WHERE category_id = {r.randint(1, 200)} "
        "AND deleted_at IS NULL ORDER BY price LIMIT 50",
        None,
        r.uniform(5, 15),
    )


def _account_events(r: random.Random) -> tuple[str, str | None, float]:
    day = r.randint(1, 28)
    return (
        f"SELECT kind, count(*) FROM events WHERE account_id = {r.randint(1, 20000)} "
        f"AND created_at BETWEEN '2026-11-{day:02d} 00:00' AND '2026-11-{day:02d} 23:59' GROUP BY kind",
        None,
        r.uniform(30, 80),
    )


def _top_products(r: random.Random) -> tuple[str, str | None, float]:
    return (
        "SELECT p.id, p.title, sum(oi.quantity) AS sold\n"
        "FROM order_items oi\n"
        "JOIN products p ON p.id = oi.product_id\n"
        f"WHERE oi.created_at >= '2026-11-{r.randint(1, 28):02d}'\n"
        "GROUP BY p.id, p.title\n"
        "ORDER BY sold DESC\n"
        "LIMIT 10",
        None,
        r.uniform(150, 400),
    )


def _order_lookup(r: random.Random) -> tuple[str, str | None, float]:
    return (
        "SELECT * FROM orders WHERE id = $1",
        f"parameters: $1 = '{r.randint(1, 500000)}'",
        r.uniform(0.02, 0.06),
    )


WORKLOAD: list[tuple[Query, int]] = [
    (_orders_by_customer, 30),
    (_customer_by_email, 12),
    (_pending_orders, 3),
    (_items_of_product, 8),
    (_session, 60),
    (_ship_order, 15),
    (_insert_event, 40),
    (_products_in_category, 20),
    (_account_events, 4),
    (_top_products, 1),
    (_order_lookup, 50),
]

_USERS = ("shop@shop", "shop@shop", "shop@shop", "reporting@shop", "worker@shop")


def generate(write: Callable[[str], None], size_bytes: int, seed: int = 7) -> int:
    """Write log text until ``size_bytes``; return the number of statements written."""
    r = random.Random(seed)
    queries = [q for q, _ in WORKLOAD]
    weights = [w for _, w in WORKLOAD]
    clock = datetime(2026, 11, 23, 9, 0, 0)
    written = 0
    statements = 0
    batch: list[str] = []
    while written < size_bytes:
        clock += timedelta(microseconds=r.randint(200, 4000))
        stamp = clock.strftime("%Y-%m-%d %H:%M:%S.") + f"{clock.microsecond // 1000:03d} UTC"
        pid = r.randint(20000, 20040)
        prefix = f"{stamp} [{pid}] {r.choice(_USERS)} "
        roll = r.random()
        if roll < 0.004:
            line = f"{stamp} [{pid}] LOG:  checkpoint starting: time\n"
        elif roll < 0.008:
            line = f"{prefix}LOG:  connection authorized: user=shop database=shop application_name=web\n"
        elif roll < 0.009:
            line = (
                f'{prefix}ERROR:  duplicate key value violates unique constraint "sessions_token_key"\n'
                f"{prefix}DETAIL:  Key (token)=(ab12) already exists.\n"
                f"{prefix}STATEMENT:  INSERT INTO sessions (token, customer_id, expires_at) VALUES ('ab12', 7, now())\n"
            )
        else:
            sql, params, ms = r.choices(queries, weights)[0](r)
            sql = sql.replace("\n", "\n\t")
            if params is not None:
                line = (
                    f"{prefix}LOG:  duration: {ms * 0.05:.3f} ms  parse <unnamed>: {sql}\n"
                    f"{prefix}LOG:  duration: {ms * 0.02:.3f} ms  bind <unnamed>: {sql}\n"
                    f"{prefix}DETAIL:  {params}\n"
                    f"{prefix}LOG:  duration: {ms:.3f} ms  execute <unnamed>: {sql}\n"
                    f"{prefix}DETAIL:  {params}\n"
                )
            else:
                line = f"{prefix}LOG:  duration: {ms:.3f} ms  statement: {sql}\n"
            statements += 1
        batch.append(line)
        written += len(line)
        if len(batch) >= 5000:
            write("".join(batch))
            batch.clear()
    write("".join(batch))
    return statements
