"""Corpus statements (ORM and tool SQL, see tests/db/corpus.py) reaching suggested indexes live.

The corpus schema with data on the shared PostgreSQL 15 + HypoPG; each statement runs through
the whole pipeline as a logged workload and its labelled predicate must lead a suggested index.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.db import shapesdb
from tests.db.corpus import HERE, load_cases
from tests.db.test_shapes import leads, suggested

pytestmark = pytest.mark.postgres

DATABASE = "opskit_db_corpus_live"
DATA = """
CREATE EXTENSION IF NOT EXISTS hypopg;
INSERT INTO auth_user SELECT i, 'x', NULL, false, 'user' || i, 'F' || i, 'L' || i, 'u' || i || '@example.com',
  false, i % 10 > 0, now() - i * interval '1 minute' FROM generate_series(1, 60000) i;
INSERT INTO blog_post SELECT i, 'T' || i, 's' || i, 'b', CASE WHEN i % 20 = 0 THEN 'draft' ELSE 'published' END,
  now() - i * interval '1 hour', i % 3000 + 1, now() - i * interval '1 hour' FROM generate_series(1, 20000) i;
INSERT INTO blog_comment SELECT i, i % 20000 + 1, i % 60000 + 1, 'c', i % 4 > 0, now() - i * interval '1 minute'
  FROM generate_series(1, 120000) i;
INSERT INTO customer_order SELECT i, i % 20000 + 1, 'PLACED', now() - i * interval '1 minute', i % 500, 0
  FROM generate_series(1, 120000) i;
INSERT INTO wallet_transaction SELECT i, i % 10000 + 1, (ARRAY['debit', 'credit', 'fee'])[i % 3 + 1], i % 700,
  now() - i * interval '1 minute' FROM generate_series(1, 120000) i;
INSERT INTO "Post" SELECT i, 'P' || i, i % 2 = 0, i % 8000 + 1, now() - i * interval '1 minute'
  FROM generate_series(1, 80000) i;
INSERT INTO article SELECT i, 'A' || i, i % 5000 + 1, i % 2 = 0, i % 100 FROM generate_series(1, 80000) i;
INSERT INTO events SELECT i, i % 9000 + 1, CASE WHEN i % 100 = 0 THEN 'purchase' ELSE 'view' || i % 50 END, NULL,
  now() - i * interval '1 minute' FROM generate_series(1, 120000) i;
ANALYZE;
"""

# corpus case -> (table, the leading key of a suggested index, or the column of its partial predicate)
LIVE = {
    "django-debug-log-iexact": ("public.auth_user", "(upper(CAST(username AS text)))"),
    "django-subquery-outerref": ("public.blog_comment", "post_id"),
    "hibernate6-fetch-first": ("public.customer_order", "customer_id"),
    "sqlalchemy-paginate": ("public.wallet_transaction", "account_id"),
    "prisma-relation-load": ("public.Post", '"authorId"'),
    "hasura-and-gt": ("public.article", "author_id"),
    "bi-cte-window-latest": ("public.events", "user_id"),  # the window's order, under WHERE name = ...
}


@pytest.fixture(scope="module")
def corpus_dsn(pg_dsn: str) -> str:
    schema = (HERE / "schema.sql").read_text()
    data = "SET search_path = public;\n" + DATA
    return shapesdb.create(pg_dsn, DATABASE, (schema, data))


@pytest.mark.parametrize("name", sorted(LIVE))
def test_a_corpus_statement_reaches_a_suggested_index(corpus_dsn: str, tmp_path: Path, name: str) -> None:
    (case,) = [c for c in load_cases() if c.name == name]
    table, key = LIVE[name]
    path = tmp_path / "workload.sql"
    path.write_text(case.sql + ";\n")
    found = suggested(corpus_dsn, path)
    assert leads(found, table, key), found
