"""The MySQL/MariaDB path on what the MySQL corpus showed: mysqldump schemas, backquoted names,
join tables after a bare table, locking clauses, ORDER BY aliases and interval units."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from opskit.core.errors import InputError
from opskit.db.candidates import Candidates
from opskit.db.dialects import for_mysql, mysql_ddl, mysql_unbuildable
from opskit.db.interface import IndexCandidate, IndexKey, NotIndexable, PredicateKind
from opskit.db.mysql.dump import parse_mysqldump, prefix_length
from opskit.db.mysql.understand import understand
from opskit.db.schema import parse_schema_dump

DUMP = """CREATE TABLE `Orders` (
  `ID` bigint NOT NULL AUTO_INCREMENT,
  `Customer_ID` bigint DEFAULT NULL,
  `note` text,
  PRIMARY KEY (`ID`),
  UNIQUE KEY `uq_ref` (`Customer_ID`,`note`(32)),
  KEY `by_customer` (`Customer_ID`) USING BTREE,
  FULLTEXT KEY `ft_note` (`note`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""


def test_a_mysqldump_schema_reads_columns_and_keys_in_lower_case() -> None:
    schema = parse_schema_dump(DUMP, "dump.sql")
    assert schema.columns("public.orders") == ("id", "customer_id", "note")
    assert schema.tables["public.orders"].prefix_only == {"note"}
    keys = {ix.name: (ix.keys, ix.unique, ix.primary) for ix in schema.indexes}
    assert keys == {
        "PRIMARY": (("id",), True, True),
        "uq_ref": (("customer_id", "note"), True, False),
        "by_customer": (("customer_id",), False, False),
    }


def test_a_text_column_gets_no_plain_index_ddl() -> None:
    schema = parse_schema_dump(DUMP, "dump.sql")
    on_note = IndexCandidate("public.orders", (IndexKey("customer_id"), IndexKey("note")))
    assert "TEXT/BLOB" in (mysql_unbuildable(on_note, schema) or "")
    assert mysql_unbuildable(IndexCandidate("public.orders", (IndexKey("customer_id"),)), schema) is None


def test_a_hostile_mysqldump_is_read_in_one_pass_over_its_lines() -> None:
    pulled = 0

    def counted(lines: list[str]) -> Iterator[str]:
        nonlocal pulled
        for line in lines:
            pulled += 1
            yield line

    hostile = ["CREATE TABLE `t` ("] * 20_000 + ["`" * 200_000, "KEY " + "a" * 200_000, ") ENGINE=InnoDB;"]
    schema = parse_mysqldump(counted(hostile))
    assert pulled == len(hostile)  # every line once; each regex is anchored to its line
    assert list(schema.tables) == ["public.t"]


def test_a_truncated_mysqldump_is_a_one_line_error() -> None:
    with pytest.raises(InputError, match="dump.sql: no complete CREATE TABLE"):
        parse_schema_dump(DUMP.split(") ENGINE")[0], "dump.sql")


@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (("status", "id"), ("status",)),  # InnoDB appends the primary key: the same index
        (("id",), ("id",)),
        (("status", "id DESC"), ("status", "id DESC")),  # a descending tail is an order of its own
        (("id", "status"), ("id", "status")),
    ],
)
def test_a_trailing_primary_key_column_is_dropped_for_innodb(keys: tuple[str, ...], expected: tuple[str, ...]) -> None:
    schema = parse_schema_dump(DUMP, "dump.sql")
    index_keys = tuple(IndexKey(k.split()[0], descending=k.endswith("DESC")) for k in keys)
    candidate = IndexCandidate("public.orders", index_keys)
    found = for_mysql(Candidates({candidate: {"q"}}, [], [], {}, set()), schema)
    designs = [*found.wanted, *(r.candidate for r in found.rejected)]
    assert [tuple(k.expr + (" DESC" if k.descending else "") for k in c.keys) for c in designs] == [expected]


def test_a_pg_dump_is_not_taken_for_a_mysqldump() -> None:
    schema = parse_schema_dump('CREATE TABLE public.t (\n    "a`b" integer\n);\n', "pg.sql")
    assert schema.columns("public.t") == ("a`b",)


RANGE = PredicateKind.RANGE


def where(sql: str) -> set[tuple[str, str, PredicateKind]]:
    shape = understand(sql)
    return {(p.column.table, p.column.expr, p.kind) for p in shape.predicates}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("select * from `users` where `users`.`Email` = 'a' limit 1", ("public.users", "email", PredicateKind.EQ)),
        ("SELECT `e`.* FROM `t` AS `e` WHERE (`e`.`x` IN('1'))", ("public.t", "x", PredicateKind.IN)),
        ("INSERT INTO a (x) SELECT y FROM b WHERE b.z = 1", ("public.b", "z", PredicateKind.EQ)),
        ("SELECT a.id FROM a INNER JOIN b ON ( a.id = b.a_id ) WHERE b.k = 1", ("public.b", "k", PredicateKind.EQ)),
        ("DELETE FROM w WHERE `ts` < UNIX_TIMESTAMP(DATE_SUB(NOW(), INTERVAL 30 DAY))", ("public.w", "ts", RANGE)),
        ("SELECT id FROM o WHERE created_at >= DATE_SUB(NOW(), INTERVAL 7 DAY)", ("public.o", "created_at", RANGE)),
        ("select * from u where t = 4 and `u`.`deleted_at` is null", ("public.u", "deleted_at", PredicateKind.EQ)),
        ("select * from u where shipped_at IS NOT NULL", ("public.u", "shipped_at", RANGE)),
        ("select * from u where active = TRUE", ("public.u", "active", PredicateKind.EQ)),
        ("SELECT id FROM o WHERE name LIKE '\\_transient\\_%'", ("public.o", "name", RANGE)),
        ("SELECT id FROM o WHERE name LIKE 'abc%' ESCAPE '!'", ("public.o", "name", RANGE)),
    ],
)
def test_mysql_statements_yield_their_predicates(sql: str, expected: tuple[str, str, PredicateKind]) -> None:
    assert expected in where(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT id FROM o WHERE FIND_IN_SET('beta', flags) > 0",  # no column alone to index
        "SELECT id FROM o WHERE email LIKE '%@example.com'",
        "SELECT id FROM o WHERE email LIKE '_bc'",
        "SELECT id FROM o WHERE email LIKE CONCAT('%', 'x')",
        "SELECT id FROM o WHERE a = 1 OR b = 2",
    ],
)
def test_mysql_statements_without_an_indexable_predicate(sql: str) -> None:
    assert not {e for _t, e, _k in where(sql) if not e.startswith("find_in_set")}


@pytest.mark.parametrize("sql", ["OPTIMIZE TABLE t", "CHECK TABLE t", "FLUSH TABLES", "KILL 42", "DESC t"])
def test_mysql_maintenance_statements_are_utility_not_unparseable(sql: str) -> None:
    with pytest.raises(NotIndexable):
        understand(sql)
    assert understand("select * from checks where a = 1").tables == ("public.checks",)


def test_a_locking_clause_names_no_table() -> None:
    shape = understand("select * from `jobs` where `queue` = 'd' order by `id` asc limit 1 FOR UPDATE SKIP LOCKED")
    assert shape.tables == ("public.jobs",)


def test_order_by_a_select_alias_sorts_on_its_column() -> None:
    shape = understand("SELECT n.created AS n_created FROM node n WHERE n.status = 1 ORDER BY n_created DESC LIMIT 10")
    assert [(k.column.expr, k.descending) for k in shape.order_by] == [("created", True)]
    scored = understand("SELECT id, MATCH (t, b) AGAINST ('x') AS score FROM a WHERE s = 1 ORDER BY score DESC LIMIT 9")
    assert scored.order_by == ()  # an alias of an expression is no column to sort an index on


@pytest.mark.parametrize(
    ("kind", "length", "charset", "prefix"),
    [
        ("longtext", None, None, 191),  # utf8mb4 by default: 191 x 4 bytes fit 767
        ("text", None, "latin1", 767),
        ("tinytext", None, "utf8mb4", 63),  # at most 255 bytes
        ("mediumblob", None, "utf8mb4", 767),  # bytes, whatever the table's charset
        ("varchar", 2048, "utf8mb4", 191),  # 8192 bytes: past InnoDB's 3072-byte key
        ("varbinary", 4000, None, 767),
        # negatives: a whole key fits, or no prefix exists
        ("varchar", 255, "utf8mb4", None),
        ("varchar", 768, "utf8mb4", None),
        ("varchar", 1000, "latin1", None),
        ("json", None, None, None),
        ("int", 11, None, None),
    ],
)
def test_prefix_length_follows_the_declared_type(kind: str, length: int | None, charset: str | None,
                                                  prefix: int | None) -> None:  # fmt: skip
    assert prefix_length(kind, length, charset) == prefix


def test_mysql_designs_prefix_text_keys_and_fold_case_through_a_generated_column() -> None:
    schema = parse_mysqldump(DUMP.splitlines())
    assert schema.tables["public.orders"].prefix_lengths == {"note": 191}
    wanted = {
        IndexCandidate("public.orders", (IndexKey("note"),)): {"q1"},
        IndexCandidate("public.orders", (IndexKey("lower(note)", is_expression=True),)): {"q2"},
        IndexCandidate("public.orders", (IndexKey("substr(note, 1, 3)", is_expression=True),)): {"q3"},
        IndexCandidate("public.orders", (IndexKey("lower(customer_id)", is_expression=True),)): {"q4"},
    }
    found = for_mysql(Candidates(wanted, [], [], {}, set()), schema)
    ddls = sorted(mysql_ddl(c) for c in found.wanted)
    assert ddls == [
        "ALTER TABLE orders ADD COLUMN note_lower text AS (LOWER(note)) VIRTUAL, ADD INDEX orders_lower_note_idx "
        "(note_lower(191));",
        "ALTER TABLE orders ADD INDEX orders_note_idx (note(191));",
    ]
    reasons = sorted(r.reason for r in found.rejected)
    assert reasons[1].endswith("drop the function and uq_ref serves")  # lower(customer_id)
    assert "not LOWER/UPPER(col)" in reasons[0]


def test_a_column_named_like_a_keyword_is_a_column_and_real_keywords_stay_keywords() -> None:
    shape = understand("SELECT rid FROM redirect WHERE language IN ('en', 'und') AND `type` = 'x'")
    assert {(p.column.expr, p.kind) for p in shape.predicates} == {
        ("language", PredicateKind.IN), ("type", PredicateKind.EQ)
    }  # fmt: skip
    for sql in ("SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.x = 1)",
                "SELECT id FROM t WHERE CASE WHEN a = 1 THEN 1 ELSE 0 END = 1",
                "SELECT id FROM t WHERE CURRENT_DATE > '2026-01-01'"):  # fmt: skip
        columns = {p.column.expr for p in understand(sql).predicates}
        assert not columns & {"not", "when", "case", "current_date", "else", "then"}, (sql, columns)


def test_match_against_and_not_in_reach_their_tables() -> None:
    shape = understand("SELECT id FROM posts p WHERE MATCH (p.title, body) AGAINST ('x') AND p.id NOT IN "
                       "(SELECT post_id FROM meta WHERE meta_key = 'k')")  # fmt: skip
    kinds = {(p.column.table, p.column.expr, p.kind) for p in shape.predicates}
    assert ("public.posts", "title", PredicateKind.FULLTEXT) in kinds
    assert {("public.meta", "post_id", PredicateKind.EQ), ("public.meta", "meta_key", PredicateKind.EQ)} <= kinds
    assert not shape.joins  # the outer side is scanned: no join key for it
    plain = understand("SELECT id FROM posts WHERE title = 'x' AND id NOT IN (1, 2)")
    assert {p.kind for p in plain.predicates} == {PredicateKind.EQ}
