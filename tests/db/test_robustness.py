"""Hostile input: bounded work on nested and mutated SQL, deep JSON, FIFOs; same bytes out whatever the hash seed."""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from opskit.core.errors import InputError
from opskit.db import pgsql
from opskit.db.bounds import MAX_NESTING
from opskit.db.interface import NotIndexable, Schema, UnparseableQuery
from opskit.db.logs import read_workload
from opskit.db.mysql.understand import understand as understand_mysql
from tests.db.test_shapes import SHAPES

ROOT = Path(__file__).parents[2]
NO_CATALOG = Schema(tables={})


def work_for(sql: str) -> int:
    """Parse-tree nodes the understanding visited (0 when refused up front)."""
    work = pgsql.Work()
    with contextlib.suppress(UnparseableQuery, NotIndexable):
        pgsql.understand(sql, NO_CATALOG, work)
    return work.used


def nested(depth: int) -> str:
    terms = "".join(f"a{i} = 1 AND (b{i} = 2 OR " for i in range(depth))
    return f"SELECT * FROM t WHERE {terms} c = 3" + ")" * depth


def test_work_grows_linearly_with_nesting_and_stops_at_the_bound() -> None:
    sizes = [5, 10, 20, 40, 80]
    works = [work_for(nested(d)) for d in sizes]
    assert all(w > 0 for w in works)
    per_level = [w / d for w, d in zip(works, sizes, strict=True)]
    assert max(per_level) <= 2 * min(per_level)  # linear, not quadratic
    with pytest.raises(UnparseableQuery, match="nested deeper"):
        pgsql.understand(nested(MAX_NESTING + 1), NO_CATALOG)
    assert work_for(nested(MAX_NESTING + 1)) == 0  # refused before parsing


def test_operator_chains_that_crash_libpg_query_are_refused_first() -> None:
    chain = "SELECT * FROM t WHERE a = " + "+".join(["1"] * 50_000)
    with pytest.raises(UnparseableQuery, match="operators"):
        pgsql.understand(chain, NO_CATALOG)


def test_mysql_statements_get_the_same_bounds() -> None:
    with pytest.raises(UnparseableQuery, match="nested deeper"):
        understand_mysql("SELECT * FROM t WHERE " + "(" * 1000 + "a = 1" + ")" * 1000)


def mutations(sql: str, rng: random.Random) -> list[str]:
    out = []
    for _ in range(12):
        a, b = sorted(rng.sample(range(len(sql) + 1), 2))
        out += [sql[:a] + sql[b:], sql[:a] + sql[a:b] * 3 + sql[b:]]
        out.append(sql[:a] + "(" * 30 + sql[a:b] + ")" * 30 + sql[b:])
    return out


def test_mutated_statements_end_in_bounded_work_with_our_own_errors() -> None:
    rng = random.Random(16)
    for sql, _expected in SHAPES.values():
        for mutant in mutations(sql, rng):
            assert work_for(mutant) <= 10 * len(mutant) + 1000, mutant


def test_a_deeply_nested_jsonlog_line_is_a_one_line_input_error(tmp_path: Path) -> None:
    log = tmp_path / "postgresql.json"
    entry = {"timestamp": "2026-11-23 10:00:00.000 UTC", "pid": 7, "error_severity": "LOG",
             "message": "duration: 1.0 ms  statement: SELECT 1"}  # fmt: skip
    log.write_text(json.dumps(entry) + "\n" + '{"error_severity": ' + "[" * 200_000 + "]" * 200_000 + "}\n")
    with pytest.raises(InputError, match=r"postgresql.json:2: JSON nested too deeply"):
        read_workload([str(log)])


def opskit(*args: str, seed: str = "0") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "opskit", *args],
        capture_output=True, text=True, timeout=120, env=env, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_fifo_given_as_a_log_or_schema_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)
    for args in (("db", "suggest-indexes", str(fifo)), ("db", "suggest-indexes", "-", "--schema", str(fifo))):
        done = opskit(*args)
        assert done.returncode == 2, done.stderr
        assert "not a regular file" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_offline_report_is_the_same_bytes_under_two_hash_seeds() -> None:
    args = ("db", "suggest-indexes", str(ROOT / "examples/db/postgresql.log"), "--schema",
            str(ROOT / "examples/db/schema.sql"), "--format", "json")  # fmt: skip
    first, second = opskit(*args, seed="1"), opskit(*args, seed="4242")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and json.loads(first.stdout)["rejected"]


@pytest.mark.postgres
def test_live_report_is_the_same_bytes_under_two_hash_seeds(shapes_dsn: str, tmp_path: Path) -> None:
    from tests.db.test_live import url

    workload = tmp_path / "all.sql"
    workload.write_text("".join(sql + ";\n" for sql, _ in SHAPES.values()))
    args = ("db", "suggest-indexes", str(workload), "--dsn", url(shapes_dsn), "--format", "json")
    first, second = opskit(*args, seed="7"), opskit(*args, seed="99")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout and json.loads(first.stdout)["indexes"]


def test_lone_surrogates_from_json_escapes_are_made_text(tmp_path: Path) -> None:
    log = tmp_path / "postgresql.json"
    message = "duration: 1.0 ms  statement: SELECT * FROM t WHERE a = '\\ud800'"
    log.write_text('{"pid": 7, "error_severity": "LOG", "message": "' + message + '"}\n')
    (stats,) = read_workload([str(log)]).results()
    assert "\ud800" not in stats.sample and stats.sample.encode("utf-8")
    with pytest.raises(UnparseableQuery, match="not valid UTF-8"):
        pgsql.understand("SELECT * FROM t WHERE a = '\ud800'", NO_CATALOG)
