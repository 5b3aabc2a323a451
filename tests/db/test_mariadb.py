"""A MariaDB slow log gets MySQL DDL that a real MariaDB server (started by the harness) accepts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.mariadb

SLOW_LOG = """/usr/sbin/mariadbd, Version: 10.11.19-MariaDB-0+deb12u1 (Debian 12). started with:
Tcp port: 3306  Unix socket: /run/mysqld/mysqld.sock
Time                 Id Command    Argument
# Time: 261123  9:00:00
# User@Host: shop[shop] @ localhost []
# Thread_id: 31  Schema: {db}  QC_hit: No
# Query_time: 0.250000  Lock_time: 0.000010  Rows_sent: 20  Rows_examined: 300000
use {db};
SET timestamp=1795424400;
SELECT id, status FROM orders WHERE customer_id = 42 ORDER BY created_at DESC LIMIT 20;
# Query_time: 0.180000  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: 100000
SET timestamp=1795424401;
SELECT `name` FROM `customers` WHERE lower(email) = 'a@b.example' AND region = 'EU';
# Query_time: 0.100000  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: 1
SET timestamp=1795424402;
SELECT * FROM orders WHERE id = 17;
# Query_time: 0.090000  Lock_time: 0.000010  Rows_sent: 5  Rows_examined: 300000
SET timestamp=1795424403;
SELECT id FROM orders WHERE status = 'pending' AND total > 100 AND shipped_at IS NULL;
# Query_time: 0.080000  Lock_time: 0.000010  Rows_sent: 15  Rows_examined: 300000
SET timestamp=1795424404;
select * from `orders` where `orders`.`customer_id` = 9 and `orders`.`shipped_at` is null
  order by `created_at` desc limit 15 offset 30;
# Query_time: 0.070000  Lock_time: 0.000010  Rows_sent: 3  Rows_examined: 300000
SET timestamp=1795424405;
SELECT o.id FROM orders o INNER JOIN customers c ON ( o.customer_id = c.id )
 WHERE c.name LIKE 'Ann%' AND o.created_at >= DATE_SUB(NOW(), INTERVAL 7 DAY) FOR UPDATE;
"""


def client(facts: dict[str, str], sql: str, database: str = "") -> subprocess.CompletedProcess[str]:
    cmd = ["mariadb", "--no-defaults", "-h", facts["host"], "-P", facts["port"], "-u", facts["user"],
           f"-p{facts['password']}", "-N", "-e", sql, *([database] if database else [])]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture
def shop(mariadb: dict[str, str]) -> Iterator[str]:
    """A database of this test's own on the shared MariaDB, dropped afterwards."""
    name = f"opskit_issue10_{os.getpid()}"
    created = client(mariadb, f"""
        CREATE DATABASE {name};
        CREATE TABLE {name}.orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, status varchar(20),
            total decimal(10,2), created_at datetime, shipped_at datetime);
        CREATE TABLE {name}.customers (id bigint PRIMARY KEY, email varchar(255), name varchar(100),
            region char(2));
    """)  # fmt: skip
    assert created.returncode == 0, created.stderr
    try:
        yield name
    finally:
        client(mariadb, f"DROP DATABASE IF EXISTS {name}")


def test_mariadb_slow_log_gets_ddl_mariadb_accepts(mariadb: dict[str, str], shop: str, tmp_path: Path) -> None:
    log = tmp_path / "mariadb-slow.log"
    log.write_text(SLOW_LOG.format(db=shop))
    done = subprocess.run(
        [sys.executable, "-m", "opskit", "db", "suggest-indexes", str(log), "--format", "json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    ddls = [ix["ddl"] for ix in report["indexes"]]
    assert "ALTER TABLE orders ADD INDEX orders_customer_id_created_at_idx (customer_id, created_at DESC);" in ddls
    assert any(d.startswith("ALTER TABLE customers ADD INDEX customers_region") for d in ddls)
    # Laravel-style backquotes with a soft-delete IS NULL, a JOIN in parentheses, LIKE 'prefix%', FOR UPDATE
    assert "ALTER TABLE orders ADD INDEX orders_customer_id_shipped_at_created_at_idx (customer_id, shipped_at, " \
        "created_at DESC);" in ddls
    assert "ALTER TABLE customers ADD INDEX customers_name_idx (name);" in ddls
    for ddl in ddls:
        assert ddl.startswith("ALTER TABLE ") and not any(w in ddl for w in ("CONCURRENTLY", "INCLUDE", "public."))
        assert "(id" not in ddl  # never the primary key
    assert all(not ix["validated"] for ix in report["indexes"])
    assert any("heuristic" in note for note in report["notes"])
    for ddl in ddls:
        applied = client(mariadb, ddl, shop)
        assert applied.returncode == 0, (ddl, applied.stderr)
    shown = client(mariadb, "SELECT DISTINCT index_name FROM information_schema.statistics "
                            f"WHERE table_schema = '{shop}' AND index_name <> 'PRIMARY'")  # fmt: skip
    assert set(shown.stdout.split()) == {ddl.split(" ADD INDEX ")[1].split()[0] for ddl in ddls}
