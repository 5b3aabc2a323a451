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


@pytest.mark.parametrize(
    ("sets", "cases_at_least", "negatives_at_least", "recall", "false_at_most"),
    [
        (MYSQL_SETS[:2], 70, 20, 0.97, 12),
        (MYSQL_SETS[2:], 20, 7, 0.95, 3),  # FULLTEXT, prefix lengths, anti-joins, LOWER()/UPPER()
    ],
    ids=["mysql", "mysql-features"],
)
def test_the_mysql_sets_through_the_mysql_path_stay_within_their_floors(
    sets: tuple[str, ...], cases_at_least: int, negatives_at_least: int, recall: float, false_at_most: int
) -> None:
    schema = load_schema(MYSQL_SCHEMA)
    cases = load_cases(*sets)
    assert len(cases) >= cases_at_least and sum(not c.expected for c in cases) >= negatives_at_least
    total = figures(score(case, schema, Dialect.MYSQL) for case in cases)
    assert total.recall >= recall, total
    assert total.unparseable == 0 and total.dropped == 0, total
    assert total.false_candidates <= false_at_most, total
    assert total.clean_negatives == total.negatives, total


def test_a_missing_label_counts_as_missed_and_an_extra_column_as_false() -> None:
    schema = load_schema()
    case = Case("probe", "SELECT id FROM events WHERE name = 'x' AND user_id = 3", frozenset({"events.name"}))
    outcome = score(case, schema)
    assert outcome.reached == {"events.name"}
    assert outcome.false  # the candidates on user_id
