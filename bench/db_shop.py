"""The advisor benchmark's shop: 7 skewed tables and 34 query templates a real application runs.

Skew is what makes index choice hard: a few customers place most orders, 2% of orders are
pending, most events are page views, 5% of products are deleted. Row counts scale with
``scale`` (1.0 is about 4.6 million rows). Each template covers a SQL shape of issue 10 and is
run with literal values or with ``$n`` parameters, as an ORM or a driver would send it.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

SCHEMA = """
CREATE TABLE customers (id bigint PRIMARY KEY, email text NOT NULL, name text NOT NULL, country char(2) NOT NULL,
    tier text NOT NULL, "ExternalRef" text, created_at timestamptz NOT NULL);
CREATE TABLE products (id bigint PRIMARY KEY, category_id int NOT NULL, sku text NOT NULL, title text NOT NULL,
    price numeric(10,2) NOT NULL, tags text[] NOT NULL, deleted_at timestamptz);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL,
    total numeric(12,2) NOT NULL, discount numeric(4,2) NOT NULL, created_at timestamptz NOT NULL,
    shipped_at timestamptz);
CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL, product_id bigint NOT NULL,
    quantity int NOT NULL, price numeric(10,2) NOT NULL);
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL, method text NOT NULL,
    amount numeric(12,2) NOT NULL, paid_at timestamptz NOT NULL, refunded boolean NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, customer_id bigint NOT NULL, kind text NOT NULL, payload jsonb NOT NULL,
    created_at timestamptz NOT NULL);
CREATE TABLE reviews (id bigint PRIMARY KEY, product_id bigint NOT NULL, customer_id bigint NOT NULL,
    rating int NOT NULL, body text NOT NULL, created_at timestamptz NOT NULL);
CREATE VIEW active_products AS SELECT id, category_id, sku, title, price FROM products WHERE deleted_at IS NULL;
"""

# skewed ids: a power law over 1..n (a few hot customers and products)
_HOT = "least({n}, 1 + floor({n} * power(random(), 3)))::bigint"

DATA = """
SELECT setseed(0.42);
INSERT INTO customers SELECT i, 'user' || i || '@example.com', 'Customer ' || i,
    (ARRAY['US','US','US','US','DE','DE','FR','GB','JP','BR'])[1 + i % 10],
    CASE WHEN i % 100 = 0 THEN 'enterprise' WHEN i % 10 = 0 THEN 'pro' ELSE 'free' END,
    CASE WHEN i % 3 = 0 THEN 'EXT-' || i END, timestamptz '2026-01-01' - i * interval '3 minutes'
  FROM generate_series(1, {customers}) i;
INSERT INTO products SELECT i, 1 + (i * 7) % 400, 'SKU-' || lpad(i::text, 7, '0'), 'Product ' || i,
    (i % 500) + 0.99, ARRAY['tag' || (i % 50), 'tag' || (i % 7)],
    CASE WHEN i % 20 = 0 THEN timestamptz '2026-06-01' END
  FROM generate_series(1, {products}) i;
INSERT INTO orders SELECT i, {hot_customer},
    CASE WHEN i % 50 = 0 THEN 'pending' WHEN i % 100 = 1 THEN 'cancelled' WHEN i % 14 = 0 THEN 'shipped'
         ELSE 'delivered' END,
    (i % 900) + 0.5, (i % 11) / 100.0, timestamptz '2026-11-01' - (i * 37 % 525600) * interval '1 minute',
    CASE WHEN i % 50 <> 0 THEN timestamptz '2026-11-01' - (i * 37 % 525600 - 600) * interval '1 minute' END
  FROM generate_series(1, {orders}) i;
INSERT INTO order_items SELECT i, 1 + (i - 1) / 2, {hot_product}, 1 + i % 4, (i % 300) + 0.99
  FROM generate_series(1, {items}) i;
INSERT INTO payments SELECT i, i, (ARRAY['card','card','card','paypal','invoice'])[1 + i % 5], (i % 900) + 0.5,
    timestamptz '2026-11-01' - (i * 37 % 525600) * interval '1 minute', i % 200 = 0
  FROM generate_series(1, {orders}) i;
INSERT INTO events SELECT i, {hot_customer},
    CASE WHEN i % 10 < 8 THEN 'page_view' WHEN i % 10 = 8 THEN 'add_to_cart' ELSE 'purchase' END,
    jsonb_build_object('path', '/p/' || (i % 5000), 'campaign', 'c' || (i % 40)),
    timestamptz '2026-11-01' - (i * 13 % 525600) * interval '1 minute'
  FROM generate_series(1, {events}) i;
INSERT INTO reviews SELECT i, {hot_product}, 1 + (i * 31) % {customers}, 1 + i % 5, 'review text ' || i,
    timestamptz '2026-11-01' - (i * 17 % 525600) * interval '1 minute'
  FROM generate_series(1, {reviews}) i;
ANALYZE;
"""


def sizes(scale: float) -> dict[str, int]:
    base = {"customers": 150_000, "products": 40_000, "orders": 800_000, "events": 1_000_000, "reviews": 200_000}
    out = {k: max(1000, int(v * scale)) for k, v in base.items()}
    out["items"] = 2 * out["orders"]
    return out


def data_sql(scale: float) -> str:
    n = sizes(scale)
    return DATA.format(
        **n,
        hot_customer=_HOT.format(n=n["customers"]),
        hot_product=_HOT.format(n=n["products"]),
    )


Params = Callable[[random.Random, dict[str, int]], tuple[object, ...]]


@dataclass(frozen=True)
class Template:
    """One query of the application: SQL with ``%s`` placeholders, how to draw its values,
    how often it runs per round, and whether its values go inline or as ``$n`` parameters."""

    name: str
    sql: str
    params: Params
    calls: int = 3
    bound: bool = False  # True: $n parameters (extended protocol); False: literals in the text
    write: bool = False


def _customer(r: random.Random, n: dict[str, int]) -> int:
    return min(n["customers"], 1 + int(n["customers"] * r.random() ** 3))


def _day(r: random.Random) -> str:
    return f"2026-{r.randint(1, 10):02d}-{r.randint(1, 28):02d}"


T = Template
TEMPLATES: tuple[Template, ...] = (
    T("order history", "SELECT id, status, total FROM orders WHERE customer_id = %s "
      "ORDER BY created_at DESC LIMIT 20", lambda r, n: (_customer(r, n),), calls=20, bound=True),
    T("pending queue", "SELECT id, customer_id, total FROM orders WHERE status = 'pending' "
      "ORDER BY created_at LIMIT 50", lambda r, n: (), calls=10),
    T("orders on a date (date literal)", "SELECT count(*) FROM orders WHERE created_at >= date %s "
      "AND created_at < date %s + interval '1 day'", lambda r, n: (d := _day(r), d), calls=3),
    T("orders on a day (::date cast)", "SELECT id, total FROM orders WHERE created_at >= %s::date "
      "AND created_at < %s::date + 1", lambda r, n: (d := _day(r), d), calls=3),
    T("recent shipped (timestamp arithmetic)", "SELECT id FROM orders WHERE shipped_at > timestamp '2026-10-31 00:00' "
      "- %s::interval ORDER BY shipped_at DESC LIMIT 100", lambda r, n: (f"{r.randint(1, 12)} hours",), calls=3),
    T("discount .06 (number literal)", "SELECT count(*) FROM orders WHERE discount = .06 AND created_at > "
      "date '2026-10-25'", lambda r, n: (), calls=2),
    T("customer by email", "SELECT id, name FROM customers WHERE lower(email) = lower(%s)",
      lambda r, n: (f"User{r.randint(1, n['customers'])}@Example.com",), calls=15, bound=True),
    T("customer by external ref (quoted column)", 'SELECT id FROM customers WHERE "ExternalRef" = %s',
      lambda r, n: (f"EXT-{3 * r.randint(1, n['customers'] // 3)}",), calls=5),
    T("order detail (JOIN)", "SELECT o.id, p.title, oi.quantity FROM orders o "
      "JOIN order_items oi ON oi.order_id = o.id JOIN products p ON p.id = oi.product_id WHERE o.id = %s",
      lambda r, n: (r.randint(1, n["orders"]),), calls=15, bound=True),
    T("items of a customer (LEFT JOIN)", "SELECT o.id, count(oi.id) FROM orders o LEFT JOIN order_items oi "
      "ON oi.order_id = o.id WHERE o.customer_id = %s GROUP BY o.id", lambda r, n: (_customer(r, n),), calls=5),
    T("payment of an order (JOIN USING)", "SELECT method, amount, quantity FROM payments JOIN order_items "
      "USING (order_id) WHERE order_id = %s", lambda r, n: (r.randint(1, n["orders"]),), calls=5, bound=True),
    T("reviews with authors (RIGHT JOIN)", "SELECT c.name, r.rating FROM customers c RIGHT JOIN reviews r "
      "ON r.customer_id = c.id WHERE r.product_id = %s ORDER BY r.created_at DESC LIMIT 10",
      lambda r, n: (r.randint(1, n["products"]),), calls=8),
    T("orders with payments (FULL JOIN)", "SELECT o.id, p.amount FROM orders o "
      "FULL JOIN payments p ON p.order_id = o.id WHERE o.customer_id = %s", lambda r, n: (_customer(r, n),), calls=2),
    T("buyers of a product (EXISTS)", "SELECT c.id, c.name FROM customers c WHERE c.country = 'FR' AND EXISTS "
      "(SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.created_at > date '2026-10-30') LIMIT 50",
      lambda r, n: (), calls=2),
    T("products never ordered (NOT EXISTS)", "SELECT p.id FROM products p WHERE p.category_id = %s AND NOT EXISTS "
      "(SELECT 1 FROM order_items oi WHERE oi.product_id = p.id)", lambda r, n: (r.randint(1, 400),), calls=2),
    T("customers with pending orders (IN subquery)", "SELECT id, email FROM customers WHERE id IN "
      "(SELECT customer_id FROM orders WHERE status = 'pending' AND created_at > date '2026-10-20')",
      lambda r, n: (), calls=2),
    T("last order date (scalar subquery)", "SELECT c.name, (SELECT max(o.created_at) FROM orders o "
      "WHERE o.customer_id = c.id) FROM customers c WHERE c.id = %s", lambda r, n: (_customer(r, n),), calls=5),
    T("recent purchases (CTE)", "WITH recent AS (SELECT customer_id, created_at FROM events "
      "WHERE kind = 'purchase' AND created_at > date '2026-10-31') SELECT count(*) FROM recent "
      "WHERE customer_id = %s", lambda r, n: (_customer(r, n),), calls=3),
    T("events NOT MATERIALIZED CTE", "WITH mine AS NOT MATERIALIZED (SELECT * FROM events WHERE customer_id = %s) "
      "SELECT kind, created_at FROM mine ORDER BY created_at DESC LIMIT 20", lambda r, n: (_customer(r, n),),
      calls=8, bound=True),
    T("category listing (view)", "SELECT id, title, price FROM active_products WHERE category_id = %s "
      "ORDER BY price LIMIT 24", lambda r, n: (r.randint(1, 400),), calls=10),
    T("top spenders (ORDER BY ordinal)", "SELECT customer_id, sum(total) FROM orders WHERE created_at > "
      "date '2026-10-28' GROUP BY customer_id ORDER BY 2 DESC LIMIT 10", lambda r, n: (), calls=2),
    T("newest reviews (ORDER BY alias)", "SELECT id, rating, created_at AS written FROM reviews "
      "WHERE product_id = %s ORDER BY written DESC LIMIT 5", lambda r, n: (r.randint(1, n["products"]),),
      calls=5, bound=True),
    T("customer events (schema-qualified)", "SELECT kind, count(*) FROM public.events WHERE customer_id = %s "
      "GROUP BY kind", lambda r, n: (_customer(r, n),), calls=5),
    T("items by order key propagated", "SELECT oi.product_id FROM orders o JOIN order_items oi "
      "ON o.id = oi.order_id WHERE o.id = %s AND oi.quantity > 1", lambda r, n: (r.randint(1, n["orders"]),),
      calls=5),
    T("support lookup (OR)", "SELECT id FROM customers WHERE email = %s OR \"ExternalRef\" = %s",
      lambda r, n: (f"user{(k := r.randint(1, n['customers']))}@example.com", f"EXT-{k}"), calls=5),
    T("orders by ids (IN list)", "SELECT id, total FROM orders WHERE customer_id IN (%s, %s, %s) "
      "AND status = 'shipped'", lambda r, n: (_customer(r, n), _customer(r, n), _customer(r, n)), calls=3),
    T("batch lookup (= ANY($1))", "SELECT id, status FROM orders WHERE id = ANY(%s)",
      lambda r, n: ([r.randint(1, n["orders"]) for _ in range(20)],), calls=5, bound=True),
    T("unshipped (IS NULL)", "SELECT id, created_at FROM orders WHERE shipped_at IS NULL AND status <> 'cancelled' "
      "ORDER BY created_at LIMIT 100", lambda r, n: (), calls=3),
    T("refunded payments (boolean)", "SELECT id, amount FROM payments WHERE refunded AND paid_at > date '2026-09-01'",
      lambda r, n: (), calls=2),
    T("sku prefix (LIKE prefix)", "SELECT id, title FROM products WHERE sku LIKE %s",
      lambda r, n: (f"SKU-{r.randint(0, n['products'] // 1000):04d}%",), calls=3),
    T("campaign events (jsonb @>)", "SELECT count(*) FROM events WHERE payload @> %s::jsonb AND kind = 'purchase'",
      lambda r, n: (f'{{"campaign": "c{r.randint(0, 39)}"}}',), calls=2),
    T("title search (ILIKE infix)", "SELECT id FROM products WHERE title ILIKE %s LIMIT 20",
      lambda r, n: (f"%roduct {r.randint(1, 999)}1%",), calls=2),
    T("monthly revenue (interval param)", "SELECT sum(amount) FROM payments WHERE paid_at > now() - %s::interval "
      "AND method = 'invoice'", lambda r, n: ("3 days",), calls=2, bound=True),
    T("rating breakdown", "SELECT rating, count(*) FROM reviews WHERE product_id = %s GROUP BY rating",
      lambda r, n: (r.randint(1, n["products"]),), calls=5),
    # writes: every index they have to maintain costs them
    T("place order", "INSERT INTO orders (id, customer_id, status, total, discount, created_at) "
      "VALUES (%s, %s, 'pending', 10, 0, now())", lambda r, n: (n["orders"] + r.randint(1, 10**9), _customer(r, n)),
      calls=10, bound=True, write=True),
    T("ship order", "UPDATE orders SET status = 'shipped', shipped_at = now() WHERE id = %s",
      lambda r, n: (r.randint(1, n["orders"]),), calls=10, bound=True, write=True),
    T("track event", "INSERT INTO events (id, customer_id, kind, payload, created_at) VALUES (%s, %s, 'page_view', "
      "'{}', now())", lambda r, n: (n["events"] + r.randint(1, 10**9), _customer(r, n)), calls=20, bound=True,
      write=True),
    T("expire old events", "DELETE FROM events WHERE created_at < date '2025-11-02' AND kind = 'page_view' "
      "AND customer_id = %s", lambda r, n: (_customer(r, n),), calls=2, write=True),
)  # fmt: skip
