"""Linear time on any input, proven by counting work rather than timing it."""

from __future__ import annotations

import re._constants as sre_constants
import re._parser as sre_parser
from typing import Any

import pytest

from opskit.audit.secrets import structured
from opskit.audit.secrets.detector import KeywordDetector, Work
from opskit.audit.secrets.rules import default_ruleset

RULESET = default_ruleset()
DETECTOR = KeywordDetector(RULESET)
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)


def _children(op: Any, arg: Any) -> list[Any]:
    """The sub-patterns of one parsed regex node."""
    if op in _REPEATS:
        return [arg[2]]
    if op is sre_constants.SUBPATTERN:
        return [arg[-1]]
    if op is sre_constants.BRANCH:
        return list(arg[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [arg[1]]
    if op is sre_constants.GROUPREF_EXISTS:  # (?(group)yes|no)
        return [arg[1], *([arg[2]] if arg[2] else [])]
    return [arg] if op is sre_constants.ATOMIC_GROUP else []


def _unbounded(parsed: Any) -> bool:
    """Whether a parsed regex repeats anything without an upper bound (work per attempt unbounded)."""
    return any(
        (op in _REPEATS and arg[1] == sre_constants.MAXREPEAT) or any(_unbounded(c) for c in _children(op, arg))
        for op, arg in parsed
    )


def test_the_bound_check_catches_unbounded_repetition() -> None:
    assert _unbounded(sre_parser.parse(r"curl[^\n]*?-u"))
    assert _unbounded(sre_parser.parse(r"(?:a|b(?=c+))"))
    assert _unbounded(sre_parser.parse(r"(a)?(?(1)b|c*)"))
    assert not _unbounded(sre_parser.parse(r"curl[^\n]{0,400}?-u(?:x{1,3})?"))


@pytest.mark.parametrize("rule", RULESET.rules, ids=lambda rule: rule.id)
def test_every_rule_regex_does_bounded_work_per_attempt(rule: Any) -> None:
    assert not _unbounded(sre_parser.parse(rule.regex.pattern, rule.regex.flags)), rule.id


KEYWORD_DENSE = [
    "password=x token: api_key ghp_ AKIA secret curl -u ",
    "sessiontoken=",
    "pwd=",
    "-----BEGIN RSA PRIVATE KEY-----",
    "Authorization: Bearer ",
]


@pytest.mark.parametrize("unit", KEYWORD_DENSE)
def test_a_2mb_keyword_dense_line_costs_work_linear_in_its_size(unit: str) -> None:
    size = 2_000_000
    text = unit * (size // len(unit))
    work = Work()
    DETECTOR.find(text, "dump.txt", work)
    # Line bounds are searched once per line, not once per keyword hit (there are ~10^5 hits here).
    assert work.boundary_chars <= 2 * len(text)
    # Each rule's windows on the one line merge into one: a regex call per rule that has a hit.
    assert work.regex_calls <= len(RULESET.rules)
    assert work.regex_chars <= 40 * len(text)


def test_work_grows_linearly_with_the_line() -> None:
    unit = "token=abc password: secret_key "
    counts = []
    for repeat in (10_000, 40_000):
        work = Work()
        DETECTOR.find(unit * repeat, "dump.txt", work)
        counts.append(work.boundary_chars + work.regex_chars)
    assert counts[1] <= 4 * counts[0] + 1000


def test_a_2mb_csv_export_is_read_in_one_pass() -> None:
    rows = 50_000
    text = "name,key,created_at\n" + "billing,Qm7vX2kLr9Tz4Wn8Hc5b,2024-01-05\n" * rows
    work = Work()
    found = [m for m in DETECTOR.find(text, "exports/keys.csv", work) if m.rule.id == "csv-credential-column"]
    assert len(found) == rows  # every row's key cell, each row split once
    assert work.boundary_chars <= 2 * len(text)
    assert work.regex_chars <= 40 * len(text)


_NO_RUNS = str.maketrans("0123456789", "QmvXkLrTzW")  # row numbers as letters: no "012345" run (a dummy)


def test_a_2mb_sql_insert_is_read_in_one_pass() -> None:
    rows = 40_000
    text = ("INSERT INTO api_clients (name, client_secret) VALUES\n"
            + ",\n".join(f"('c{n}', 'Qm7vX2kLr9Tz4Wn8Hc5b{str(n).translate(_NO_RUNS)}')" for n in range(rows)) + ";\n")
    work = Work()
    assert any(m.rule.id == "sql-insert-credential-column" for m in DETECTOR.find(text, "db/seed.sql", work))
    assert work.regex_chars <= 40 * len(text)
    assert len(list(structured.sql_insert_values(text))) == rows  # every row's secret, each row read once


def test_malformed_sql_inserts_are_not_read_again() -> None:
    """Statements whose rows never close: the rows read never overlap, so each character is read once."""
    original = structured._sql_row
    unit = "INSERT INTO t (a, password) VALUES ('x', 'Qm7vX2kLr9Tz4Wn8Hc5b"
    for repeat in (1_000, 4_000):
        text = unit * repeat
        spans: list[tuple[int, int]] = []

        def counting(text: str, pos: int, spans: list[tuple[int, int]] = spans) -> Any:
            cells, end = original(text, pos)
            spans.append((pos, end))
            return cells, end

        structured._sql_row = counting
        try:
            assert list(structured.sql_insert_values(text)) == []
        finally:
            structured._sql_row = original
        assert spans and all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False))
        assert sum(end - start for start, end in spans) <= len(text)


def test_a_2mb_yaml_token_list_is_read_in_one_pass() -> None:
    rows = 60_000
    text = "tokens:\n" + "".join(f"  - Qm7vX2kLr9Tz4Wn8Hc5b{str(n).translate(_NO_RUNS)}\n" for n in range(rows))
    work = Work()
    found = [m for m in DETECTOR.find(text, "config/gateway.yml", work) if m.rule.id == "yaml-credential-list"]
    assert len(found) >= rows - 100  # every item, not only the first (bar a few like ...QQQ, dummies)
    assert work.regex_chars <= 40 * len(text)


def test_a_2mb_yaml_list_item_line_is_matched_once() -> None:
    """One item line of 2 MB with spaces inside (not a scalar): each line is matched once, anchored."""
    text = "tokens:\n  - " + "Qm7vX2kLr9 " * 200_000 + "\n"
    assert list(structured.yaml_credential_lists(text)) == []
