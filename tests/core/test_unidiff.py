"""The ``+++`` and ``@@`` pieces of git's unified diff, shared by audit and monitor lint."""

from __future__ import annotations

from pathlib import Path

import pytest

from opskit.core.unidiff import HUNK, new_path
from opskit.monitor.lint.gitdiff import parse_changed_lines


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("+++ b/rules/api.yml", "rules/api.yml"),
        ("+++ b/with space.yml\t", "with space.yml"),
        ('+++ "b/na\\303\\257ve.yml"', "na\u00efve.yml"),
        ("+++ /dev/null", None),
        ("+++ plain.yml", "plain.yml"),
    ],
)
def test_new_path(header: str, expected: str | None) -> None:
    assert new_path(header) == expected


def test_hunk_start_and_count() -> None:
    one, many = HUNK.match("@@ -3 +7 @@ x"), HUNK.match("@@ -1,2 +10,3 @@")
    assert one is not None and (one.group(1), one.group(2)) == ("7", None)
    assert many is not None and (many.group(1), many.group(2)) == ("10", "3")


def test_lint_reads_changed_lines_of_a_quoted_file_name(tmp_path: Path) -> None:
    name = '"b/na\\303\\257ve.yml"'
    diff = f"diff --git {name} {name}\n+++ {name}\n@@ -0,0 +4,2 @@\n+a\n+b\n"
    assert parse_changed_lines(diff, tmp_path) == {(tmp_path / "na\u00efve.yml").resolve(): {4, 5}}
