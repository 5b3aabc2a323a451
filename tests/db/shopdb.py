"""The test database: the shop schema of examples/db with 100k+ rows per big table, analyzed."""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

DATABASE = "opskit_db_tests"

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL, name text NOT NULL,
                        created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status text NOT NULL,
                     total numeric(12,2) NOT NULL, created_at timestamptz NOT NULL, updated_at timestamptz);
CREATE TABLE order_items (id bigint PRIMARY KEY, order_id bigint NOT NULL, product_id bigint NOT NULL,
                          quantity int NOT NULL, price numeric(10,2) NOT NULL, created_at timestamptz NOT NULL);
CREATE TABLE products (id bigint PRIMARY KEY, category_id int NOT NULL, title text NOT NULL,
                       price numeric(10,2) NOT NULL, deleted_at timestamptz);
CREATE TABLE sessions (id bigint PRIMARY KEY, token text NOT NULL UNIQUE, customer_id bigint NOT NULL,
                       expires_at timestamptz NOT NULL);
CREATE TABLE events (id bigint PRIMARY KEY, account_id bigint NOT NULL, kind text NOT NULL, payload jsonb,
                     created_at timestamptz NOT NULL);
CREATE VIEW active_products AS SELECT id, category_id, title, price FROM products WHERE deleted_at IS NULL;
CREATE INDEX order_items_order_id_idx ON order_items (order_id);
CREATE INDEX orders_status_idx ON orders (status);

INSERT INTO customers SELECT i, 'User' || i || '@Example.com', 'Customer ' || i, now() - i * interval '1 minute'
  FROM generate_series(1, 100000) i;
INSERT INTO orders SELECT i, (i::bigint * 7919) % 2000 + 1,
    CASE WHEN i % 50 = 0 THEN 'pending' WHEN i % 3 = 0 THEN 'shipped' ELSE 'delivered' END,
    (i % 500) + 0.99, timestamptz '2026-11-23 09:00' - (i % 40000) * interval '1 minute', NULL
  FROM generate_series(1, 300000) i;
INSERT INTO products SELECT i, i % 200 + 1, 'Product ' || i, (i % 300) + 0.5,
    CASE WHEN i % 10 = 0 THEN now() ELSE NULL END
  FROM generate_series(1, 20000) i;
INSERT INTO order_items SELECT i, i % 300000 + 1, (i * 31) % 20000 + 1, i % 5 + 1, (i % 300) + 0.5,
    timestamptz '2026-11-23 09:00' - (i % 40000) * interval '1 minute'
  FROM generate_series(1, 300000) i;
INSERT INTO sessions SELECT i, md5(i::text), i % 100000 + 1, now() + interval '1 day'
  FROM generate_series(1, 100000) i;
INSERT INTO events SELECT i, i % 20000 + 1, CASE WHEN i % 4 = 0 THEN 'purchase' ELSE 'page_view' END,
    '{"path": "/"}', timestamptz '2026-11-28 00:00' - (i % 40000) * interval '1 minute'
  FROM generate_series(1, 200000) i;
CREATE SCHEMA billing;
CREATE TABLE billing.invoices (id bigint PRIMARY KEY, customer_id bigint NOT NULL, amount numeric(12,2) NOT NULL);
INSERT INTO billing.invoices SELECT i, i % 5000 + 1, i % 700 FROM generate_series(1, 100000) i;
ALTER DATABASE opskit_db_tests SET search_path = "$user", public, billing;
ANALYZE;
"""


def database_dsn(server_dsn: str, database: str = DATABASE) -> str:
    """The same server and credentials, another database."""
    params = conninfo_to_dict(server_dsn)
    params["dbname"] = database
    return make_conninfo("", **params)


def create(server_dsn: str) -> str:
    """(Re)create the shop database with data; return its DSN."""
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    dsn = database_dsn(server_dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(SCHEMA)
    return dsn
