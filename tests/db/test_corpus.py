"""The held-out corpus of ORM- and tool-generated SQL (offline): floors on what the advisor reaches.

The figures are bench/db_corpus_bench.py's; the floors sit just under them so a change that makes
the advisor understand less of real-world SQL fails here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.db.workload import Dialect
from tests.db.corpus import (
    MYSQL_SCHEMA,
    MYSQL_SETS,
    SETS,
    Case,
    figures,
    load_cases,
    load_schema,
    score,
)


@pytest.fixture(scope="module")
def outcomes() -> list:
    schema = load_schema()
    return [score(case, schema) for case in load_cases()]


def test_the_corpus_is_varied_with_negatives() -> None:
    cases = load_cases()
    assert len(cases) >= 120
    assert len({c.name for c in cases}) == len(cases)
    assert sum(not c.expected for c in cases) >= 25  # statements that deserve no index


@pytest.mark.parametrize(
    ("sets", "schema_path"), [(SETS, None), (MYSQL_SETS, MYSQL_SCHEMA)], ids=["pg", "mysql"]
)
def test_labels_name_columns_of_the_schema(sets: tuple[str, ...], schema_path: Path | None) -> None:
    schema = load_schema() if schema_path is None else load_schema(schema_path)
    cases = load_cases(*sets)
    assert len({c.name for c in cases}) == len(cases)
    for case in cases:
        for label in case.expected:
            table, _, column = label.partition(".")
            assert column in schema.columns(f"public.{table}"), (case.name, label)


def test_recall_and_false_candidates_stay_within_their_floors(outcomes: list) -> None:
    total = figures(outcomes)
    assert total.recall >= 0.99, total
    assert total.unparseable == 0, [o.case.name for o in outcomes if not o.parsed]
    assert total.dropped == 0, total
    assert total.false_candidates <= 40, total
    assert total.clean_negatives == total.negatives, [o.case.name for o in outcomes if not o.case.expected and o.false]


def test_the_mysql_set_through_the_mysql_path_stays_within_its_floors() -> None:
    schema = load_schema(MYSQL_SCHEMA)
    cases = load_cases(*MYSQL_SETS[:2])
    assert len(cases) >= 70 and sum(not c.expected for c in cases) >= 20
    total = figures(score(case, schema, Dialect.MYSQL) for case in cases)
    assert total.recall >= 0.97, total
    assert total.unparseable == 0 and total.dropped == 0, total
    assert total.false_candidates <= 12, total
    assert total.clean_negatives == total.negatives, total


def test_the_mysql_feature_set_stays_within_its_floors() -> None:
    """FULLTEXT, prefix lengths, anti-joins and LOWER()/UPPER() (statements_mysql_features.sql)."""
    schema = load_schema(MYSQL_SCHEMA)
    cases = load_cases(MYSQL_SETS[2])
    assert len(cases) >= 20 and sum(not c.expected for c in cases) >= 7
    total = figures(score(case, schema, Dialect.MYSQL) for case in cases)
    assert total.recall >= 0.95, total
    assert total.unparseable == 0 and total.dropped == 0, total
    assert total.false_candidates <= 3, total
    assert total.clean_negatives == total.negatives, total


def test_a_missing_label_counts_as_missed_and_an_extra_column_as_false() -> None:
    schema = load_schema()
    case = Case("probe", "SELECT id FROM events WHERE name = 'x' AND user_id = 3", frozenset({"events.name"}))
    outcome = score(case, schema)
    assert outcome.reached == {"events.name"}
    assert outcome.false  # the candidates on user_id
