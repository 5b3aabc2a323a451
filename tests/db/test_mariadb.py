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
    # lower(email) without a dump: a generated column of the default type, applied below
    assert ("ALTER TABLE customers ADD COLUMN email_lower varchar(255) AS (LOWER(email)) VIRTUAL, "
            "ADD INDEX customers_lower_email_region_idx (email_lower, region);") in ddls  # fmt: skip
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


FEATURES_DUMP = """CREATE TABLE `posts` (
  `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `title` text NOT NULL,
  `body` longtext NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `postmeta` (
  `meta_id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `post_id` bigint(20) unsigned NOT NULL DEFAULT '0',
  `meta_key` varchar(255) DEFAULT NULL,
  `meta_value` longtext,
  PRIMARY KEY (`meta_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

CREATE TABLE `redirects` (
  `rid` int(10) unsigned NOT NULL AUTO_INCREMENT,
  `source_path` varchar(2048) NOT NULL,
  `mail` varchar(254) DEFAULT NULL,
  PRIMARY KEY (`rid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""

FEATURES_LOG = """# Time: 261123  9:00:00
# User@Host: shop[shop] @ localhost []
# Query_time: 0.250000  Lock_time: 0.000010  Rows_sent: 20  Rows_examined: 300000
SET timestamp=1795424400;
SELECT id FROM posts WHERE MATCH (title, body) AGAINST ('+index +advice' IN BOOLEAN MODE);
# Query_time: 0.200000  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: 300000
SET timestamp=1795424401;
SELECT post_id FROM postmeta WHERE meta_key = '_sku' AND meta_value = 'WP-1001';
# Query_time: 0.150000  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: 300000
SET timestamp=1795424402;
SELECT rid FROM redirects WHERE source_path = 'node/42';
# Query_time: 0.120000  Lock_time: 0.000010  Rows_sent: 1  Rows_examined: 300000
SET timestamp=1795424403;
SELECT rid FROM redirects WHERE LOWER(mail) = LOWER('Admin@Example.com');
"""


def explain(mariadb: dict[str, str], database: str, sql: str) -> list[str]:
    """EXPLAIN's first row: id, select_type, table, type, possible_keys, key, ..."""
    done = client(mariadb, f"EXPLAIN {sql}", database)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()[0].split("\t")


def test_fulltext_prefix_and_generated_column_ddl_builds_and_serves_on_mariadb(
    mariadb: dict[str, str], tmp_path: Path
) -> None:
    """The new MySQL designs are applied to a real MariaDB from a mysqldump schema, and EXPLAIN shows
    each one used: FULLTEXT for MATCH, prefix keys for TEXT and VARCHAR(2048), and the generated column
    for LOWER(mail) only when the query names it (as the finding's explanation says)."""
    name = f"opskit_dbmysql2_{os.getpid()}"
    (tmp_path / "schema.sql").write_text(FEATURES_DUMP)
    (tmp_path / "slow.log").write_text(FEATURES_LOG)
    created = client(mariadb, f"CREATE DATABASE {name}; USE {name}; {FEATURES_DUMP}")
    assert created.returncode == 0, created.stderr
    try:
        done = subprocess.run(
            [sys.executable, "-m", "opskit", "db", "suggest-indexes", str(tmp_path / "slow.log"), "--schema",
             str(tmp_path / "schema.sql"), "--format", "json", "--min-improvement", "0"],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        report = json.loads(done.stdout)
        ddls = [ix["ddl"] for ix in report["indexes"]] + [a["ddl"] for a in report["advisory"]]
        assert "ALTER TABLE posts ADD FULLTEXT INDEX posts_title_body_fulltext_idx (title, body);" in ddls
        assert "ALTER TABLE postmeta ADD INDEX postmeta_meta_key_meta_value_idx (meta_key, meta_value(191));" in ddls
        assert "ALTER TABLE redirects ADD INDEX redirects_source_path_idx (source_path(191));" in ddls
        generated = ("ALTER TABLE redirects ADD COLUMN mail_lower varchar(254) AS (LOWER(mail)) VIRTUAL, "
                     "ADD INDEX redirects_lower_mail_idx (mail_lower);")  # fmt: skip
        assert generated in ddls
        assert any("191 characters fit 767 bytes" in why for ix in report["indexes"] for why in ix["why"])
        for ddl in ddls:
            applied = client(mariadb, ddl, name)
            assert applied.returncode == 0, (ddl, applied.stderr)
        rows = client(mariadb, "INSERT INTO redirects (source_path, mail) SELECT CONCAT('p', seq), "
                      "CONCAT('U', seq, '@x.org') FROM seq_1_to_2000; ANALYZE TABLE redirects", name)  # fmt: skip
        assert rows.returncode == 0, rows.stderr
        assert explain(mariadb, name, "SELECT id FROM posts WHERE MATCH (title, body) AGAINST ('+x' IN BOOLEAN MODE)")[
            3:6
        ] == ["fulltext", "posts_title_body_fulltext_idx", "posts_title_body_fulltext_idx"]
        assert explain(mariadb, name, "SELECT rid FROM redirects WHERE source_path = 'p5'")[5] == (
            "redirects_source_path_idx"
        )
        meta = explain(mariadb, name, "SELECT post_id FROM postmeta WHERE meta_key = 'k' AND meta_value = 'v'")
        assert meta[5] == "postmeta_meta_key_meta_value_idx"
        named = explain(mariadb, name, "SELECT rid FROM redirects WHERE mail_lower = LOWER('U5@x.org')")
        assert named[3:6] == ["ref", "redirects_lower_mail_idx", "redirects_lower_mail_idx"]
        as_written = explain(mariadb, name, "SELECT rid FROM redirects WHERE LOWER(mail) = LOWER('U5@x.org')")
        assert as_written[3] == "ALL"  # MariaDB 10.11 does not substitute the expression: hence the advice text
    finally:
        client(mariadb, f"DROP DATABASE IF EXISTS {name}")
