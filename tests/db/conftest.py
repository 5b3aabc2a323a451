"""The shop database for live tests, created once per session on the shared PostgreSQL."""

from __future__ import annotations

import pytest

from tests.db import shopdb


@pytest.fixture(scope="session")
def shop_dsn(pg_dsn: str) -> str:
    """postgresql://... of a fresh ``opskit_db_tests`` database with 100k+ row tables, analyzed."""
    return shopdb.create(pg_dsn)


@pytest.fixture(scope="session")
def shapes_dsn(pg_dsn: str) -> str:
    """A TPC-H-like database of its own for the SQL-shape tests (see tests/db/shapesdb.py)."""
    from tests.db import shapesdb

    return shapesdb.create(pg_dsn)
