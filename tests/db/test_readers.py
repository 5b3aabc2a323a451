"""Every workload format read from a realistic sample, with compression and stdin."""

from __future__ import annotations

import bz2
import gzip
import lzma
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from opskit.core.errors import InputError, UsageError
from opskit.db.logs import read_workload
from opskit.db.logs.postgres import prefix_regex

FIXTURES = Path(__file__).parent / "fixtures"


def stats(name: str, **kwargs: object) -> dict[str, object]:
    queries = read_workload([str(FIXTURES / name)], jobs=1, **kwargs).results()  # type: ignore[arg-type]
    return {q.fingerprint: q for q in queries}


def test_stderr_log_with_durations_executes_parameters_and_multiline() -> None:
    got = stats("stderr_debian.log")
    orders = got["select id, status from orders where customer_id = ? order by created_at desc limit ?"]
    assert (orders.calls, orders.total_ms, orders.mean_ms, orders.p95_ms) == (2, 20.0, 10.0, 12.5)
    assert orders.sample.endswith("customer_id = 42 ORDER BY created_at DESC LIMIT 20")
    assert orders.line == 2
    # $1 and $10 are put back separately: $1 never matches inside $10
    session = got["select * from sessions where token = ? and customer_id = ?"]
    assert session.sample == "SELECT * FROM sessions WHERE token = 'abc' AND customer_id = '99'"
    assert session.calls == 1  # parse and bind lines are not executions
    update = got["update orders set status = ? where id = ?"]
    assert update.sample == "UPDATE orders SET status = 'it''s shipped' WHERE id = '1001'"
    report = next(q for q in got.values() if q.fingerprint.startswith("select p.id, sum"))
    assert report.line == 9 and "GROUP BY p.id\nORDER BY sold DESC" in report.sample
    assert not any("nope" in fp for fp in got)  # failed statements (ERROR/STATEMENT) are not workload


def test_split_statement_and_duration_lines_pair_by_process() -> None:
    got = stats("stderr_split.log")
    email = got["select * from customers where lower(email) = lower(?)"]
    assert (email.calls, email.total_ms) == (2, 8.0)
    assert email.sample.endswith("lower('A@B.com')")  # pid 501's own duration (5 ms) is the slowest
    products = got["select id from products where category_id = ? and deleted_at is null"]
    assert (products.total_ms, products.sample.count("'12'")) == (1.5, 1)
    assert not got["select ?"].timed  # a statement whose duration never came


def test_explicit_log_prefix_is_used_for_the_pid() -> None:
    pattern = prefix_regex("%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ")
    line = "2026-11-23 09:00:00 UTC [501]: [1-1] user=shop,db=shop,app=web,client=10.0.0.5 "
    match = pattern.match(line)
    assert match is not None and match.group("pid") == "501"
    got = stats("stderr_split.log", log_prefix="%t [%p]: [%l-1] user=%u,db=%d,app=%a,client=%h ")
    assert got["select * from customers where lower(email) = lower(?)"].total_ms == 8.0
    with pytest.raises(InputError, match="has no %p"):
        prefix_regex("%m ")


def test_csvlog_with_multiline_record_parameters_and_split_duration() -> None:
    got = stats("csvlog.csv")
    events = got["select id from events where account_id = ? and created_at > ?"]
    assert (events.calls, events.total_ms) == (2, 15.0)
    delete = got["delete from sessions where expires_at < now()"]
    assert (delete.total_ms, delete.line) == (60.0, 4)


def test_jsonlog() -> None:
    got = stats("jsonlog.json")
    bound = got["select * from orders where status = ? and created_at > ?"]
    assert bound.sample == "SELECT * FROM orders WHERE status = 'pending' AND created_at > '2026-11-23 08:00'"
    assert len(got) == 2


@pytest.mark.parametrize("name", ["pgss.csv", "pgss.json"])
def test_pg_stat_statements_exports(name: str) -> None:
    got = stats(name)
    top = got["select id, status from orders where customer_id = ? order by created_at desc limit ?"]
    assert (top.calls, top.total_ms, top.p95_ms) == (5210, 48211.5, None)
    assert "$1" in top.sample


def test_mysql_slow_log() -> None:
    got = stats("mysql-slow.log")
    (only,) = got.values()
    assert (only.calls, only.total_ms, only.line) == (2, 400.0, 9)


def test_mysql_slow_log_insert_ids_are_the_servers_line_not_the_statement(tmp_path: Path) -> None:
    log = tmp_path / "slow.log"
    log.write_text(
        "# Time: 2026-11-23T09:00:00.123456Z\n# User@Host: app[app] @ localhost []  Id:    12\n"
        "# Query_time: 0.250000  Lock_time: 0.000010 Rows_sent: 0  Rows_examined: 300000\n"
        "SET last_insert_id=16,insert_id=17,timestamp=1795424400;\n"
        "INSERT INTO t (a) SELECT b FROM s WHERE c = 1;\n"
    )
    (only,) = read_workload([str(log)], jobs=1).results()
    assert only.sample == "INSERT INTO t (a) SELECT b FROM s WHERE c = 1" and only.line == 5


def test_plain_sql_file_counts_calls_without_time() -> None:
    got = stats("queries.sql")
    orders = got["select id, status from orders where customer_id = ? order by created_at desc limit ?"]
    assert (orders.calls, orders.timed, orders.line) == (2, False, 2)
    products = next(q for q in got.values() if "products" in q.fingerprint)
    assert products.line == 5 and products.sample.startswith("SELECT id, title")


@pytest.mark.parametrize("opener", [gzip.open, bz2.open, lzma.open])
def test_compressed_logs(tmp_path: Path, opener: object) -> None:
    target = tmp_path / "postgresql.log.z"
    with opener(target, "wb") as handle, open(FIXTURES / "stderr_debian.log", "rb") as src:  # type: ignore[operator]
        shutil.copyfileobj(src, handle)
    got = read_workload([str(target)], jobs=1).results()
    assert sum(q.calls for q in got) == 5


def test_stdin() -> None:
    code = "from opskit.db.logs import read_workload; print(sum(q.calls for q in read_workload(['-']).results()))"
    with open(FIXTURES / "mysql-slow.log", "rb") as stdin:
        done = subprocess.run([sys.executable, "-c", code], stdin=stdin, capture_output=True, check=True)
    assert done.stdout.strip() == b"2"


def test_input_format_overrides_detection() -> None:
    got = read_workload([str(FIXTURES / "queries.sql")], input_format="sql", jobs=1).results()
    assert len(got) == 2
    with pytest.raises(UsageError):
        read_workload([str(FIXTURES / "queries.sql")], input_format="oracle")


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    binary = tmp_path / "core.bin"
    binary.write_bytes(b"LOG:  duration: 1 ms  statement: SELECT 1\n" + bytes(range(256)) * 40)
    with pytest.raises(InputError, match="core.bin: binary data"):
        read_workload([str(binary)], jobs=1)
    with pytest.raises(InputError, match="missing.log: no such file"):
        read_workload([str(tmp_path / "missing.log")])
    unknown = tmp_path / "notes.txt"
    unknown.write_text("hello\nworld\n")
    with pytest.raises(InputError, match="unrecognised log format"):
        read_workload([str(unknown)])
    bad_json = tmp_path / "pg.json"
    bad_json.write_text(
        '{"error_severity": "LOG", "message": "duration: 1.0 ms  statement: SELECT 1"}\n{oops\n'
    )
    with pytest.raises(InputError, match=r"pg.json:2: malformed JSON"):
        read_workload([str(bad_json)])


class _CountingBar:
    def __init__(self) -> None:
        self.total: float | None = None
        self.done = 0.0

    def advance(self, amount: float = 1) -> None:
        self.done += amount

    def set_total(self, total: float | None) -> None:
        self.total = total


@pytest.mark.parametrize("jobs", [2, 3])
def test_parallel_read_matches_sequential(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    """The parent reads the first range and workers the others; the merge keeps exact line
    numbers, samples and durations, and the progress bar ends at the file's size."""
    sys.path.insert(0, str(Path(__file__).parents[2] / "bench"))
    from db_workload import generate

    log = tmp_path / "big.log"
    with open(log, "w") as handle:
        generate(handle.write, 3 << 20, seed=3)
    from opskit.db.logs.postgres import StderrLog

    monkeypatch.setattr(StderrLog, "parallel_threshold", 1 << 20)
    bar = _CountingBar()
    parallel = {q.fingerprint: q for q in read_workload([str(log)], jobs=jobs, bar=bar).results()}
    sequential = {q.fingerprint: q for q in read_workload([str(log)], jobs=1).results()}
    assert parallel == sequential
    assert bar.total == bar.done == log.stat().st_size


def test_empty_log_has_no_statements(tmp_path: Path) -> None:
    empty = tmp_path / "postgresql-Mon.log"
    empty.write_text("")
    assert read_workload([str(empty)]).results() == []


def test_a_nul_padded_tail_and_a_few_binary_bytes_are_skipped_with_a_note(tmp_path: Path) -> None:
    line = b"2026-11-23 10:00:00.101 UTC [7001] shop@shop LOG:  duration: 9.000 ms  statement: SELECT a FROM t\n"
    log = tmp_path / "crashed.log"
    log.write_bytes(line + b"\x00\x00\xff\x13\x00" + line + line + b"\x00" * 4096)
    agg = read_workload([str(log)], jobs=1)
    (stats,) = agg.results()
    assert stats.calls == 3
    start = len(line)
    assert agg.notes() == [
        f"{log}: skipped 4101 damaged byte(s) (NUL padding or binary garbage) at bytes {start}-{start + 5}, "
        f"{start * 3 + 5}-{start * 3 + 5 + 4096}"
    ]


def test_sql_scripts_are_cut_by_postgresqls_scanner_and_by_sqlparse_when_it_gives_up(tmp_path: Path) -> None:
    script = tmp_path / "script.sql"
    script.write_text("-- nightly report\nSELECT a FROM t WHERE b = 1;\n\n/* two */ SELECT c\nFROM u;\n")
    got = [(q.line, q.sample) for q in read_workload([str(script)]).results()]
    assert sorted(got) == [(2, "SELECT a FROM t WHERE b = 1"), (4, "SELECT c\nFROM u")]
    broken = tmp_path / "broken.sql"
    broken.write_text("SELECT a FROM t;\nSELECT 'unterminated FROM u;\n")
    assert sorted(q.line for q in read_workload([str(broken)]).results()) == [1, 2]
