"""A TPC-H-like database for the SQL-shape tests: skewed, analyzed, with a view and odd names.

Its own database name, so it never collides with the shop database or other engineers' tests.
"""

from __future__ import annotations

import psycopg

from tests.db.shopdb import database_dsn

DATABASE = "opskit_db_shapes_issue10"

SCHEMA = """
CREATE EXTENSION IF NOT EXISTS hypopg;
CREATE TABLE customer (c_custkey bigint PRIMARY KEY, c_name text NOT NULL, c_segment text NOT NULL);
CREATE TABLE orders (o_orderkey bigint PRIMARY KEY, o_custkey bigint NOT NULL, o_status text NOT NULL,
                     o_orderdate date NOT NULL, o_clerk text NOT NULL, o_ratio numeric NOT NULL,
                     o_shipped_at timestamptz, o_cancelled_at timestamptz, o_created timestamp NOT NULL);
CREATE TABLE lineitem (l_orderkey bigint NOT NULL, l_linenumber int NOT NULL, l_partkey bigint NOT NULL,
                       l_shipdate date NOT NULL, l_quantity int NOT NULL, PRIMARY KEY (l_orderkey, l_linenumber));
CREATE TABLE authors (author_id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE books (book_id bigint PRIMARY KEY, author_id bigint NOT NULL, title text NOT NULL, meta jsonb);
CREATE TABLE blogs (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE posts (id bigint PRIMARY KEY, blog_id bigint NOT NULL, title text NOT NULL);
CREATE SCHEMA "Shop";
CREATE TABLE "Shop"."Items" (id bigint PRIMARY KEY, "SKU" text NOT NULL, "Price" numeric NOT NULL);
CREATE VIEW open_orders AS SELECT * FROM orders WHERE o_status = 'O';

INSERT INTO customer SELECT i, 'Customer#' || i, (ARRAY['AUTO','BUILD','MACH','HOUSE','FURN'])[i % 5 + 1]
  FROM generate_series(1, 30000) i;
INSERT INTO orders SELECT i, (i * 7919) % 30000 + 1, CASE WHEN i % 100 = 0 THEN 'O' ELSE 'F' END,
    date '1992-01-01' + (i % 2400), 'Clerk#' || (i % 1000), i / 100000.0,
    CASE WHEN i % 100 = 0 THEN NULL ELSE timestamptz '2026-01-01' + i * interval '1 second' END,
    CASE WHEN i % 200 = 0 THEN timestamptz '2026-02-01' ELSE NULL END,
    timestamp '2026-01-01' + i * interval '1 minute'
  FROM generate_series(1, 200000) i;
INSERT INTO lineitem SELECT i / 2 + 1, i % 2, (i * 31) % 20000 + 1, date '1992-01-01' + (i % 2400), i % 50 + 1
  FROM generate_series(0, 399999) i;
INSERT INTO authors SELECT i, 'Author ' || i FROM generate_series(1, 50000) i;
INSERT INTO books SELECT i, i % 50000 + 1, 'Book ' || i, jsonb_build_object('genre', 'g' || (i % 300))
  FROM generate_series(1, 150000) i;
INSERT INTO blogs SELECT i, 'Blog ' || i FROM generate_series(1, 5000) i;
INSERT INTO posts SELECT i, i % 5000 + 1, 'Post ' || i FROM generate_series(1, 150000) i;
INSERT INTO "Shop"."Items" SELECT i, 'SKU-' || i, i % 1000 FROM generate_series(1, 100000) i;
ANALYZE;
"""


def create(server_dsn: str, database: str = DATABASE, scripts: tuple[str, ...] = (SCHEMA,)) -> str:
    """(Re)create the shapes database (or another, from its scripts, each on its own connection)."""
    with psycopg.connect(server_dsn, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {database}")
    dsn = database_dsn(server_dsn, database)
    for script in scripts:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(script)
    with psycopg.connect(dsn, autocommit=True) as conn:  # after the loader flushed its counters
        conn.execute("SELECT pg_stat_reset()")  # the bulk load is history: read-mostly from here on
    return dsn
