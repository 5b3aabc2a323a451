"""Offline mode and the CLI contract: the bundled example, JSON shape, errors, help."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]
EXAMPLE_LOG = str(ROOT / "examples/db/postgresql.log")
EXAMPLE_SCHEMA = str(ROOT / "examples/db/schema.sql")
FIXTURES = Path(__file__).parent / "fixtures"


def opskit(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "opskit", *args], capture_output=True, text=True, timeout=120
    )


def test_example_offline_suggestions_are_sensible_and_labelled() -> None:
    done = opskit("db", "suggest-indexes", EXAMPLE_LOG, "--schema", EXAMPLE_SCHEMA, "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    got = [(ix["table"], ix["keys"], ix["where"]) for ix in report["indexes"]]
    assert got[0] == ("public.orders", ["customer_id", "created_at DESC"], None)  # the heaviest query
    assert ("public.customers", ["(lower(email))"], None) in got
    assert ("public.products", ["category_id", "price"], "deleted_at IS NULL") in got
    assert not any(t == "public.sessions" for t, _, _ in got)  # sessions.token is already unique
    assert all(not ix["validated"] for ix in report["indexes"])
    assert any("not validated" in note for note in report["notes"])
    assert {f["confidence"] for f in report["findings"]} == {"low"}
    first = report["indexes"][0]
    assert set(first) >= {"table", "columns", "ddl", "queries", "cost_before", "cost_after"}
    assert first["columns"] == ["customer_id", "created_at"]
    served = report["queries"][0]
    assert served["calls"] > 0 and served["total_ms"] > 0 and served["p95_ms"] >= served["mean_ms"]
    assert served["location"].startswith(EXAMPLE_LOG + ":")


def test_without_schema_existing_indexes_are_unknown() -> None:
    done = opskit("db", "suggest-indexes", str(FIXTURES / "queries.sql"), "--format", "json")
    report = json.loads(done.stdout)
    assert "no --schema: existing indexes are unknown" in report["notes"]
    assert report["indexes"][0]["saved_unit"] == "calls"  # a .sql file has no durations


def test_text_output_lists_ddl_and_rejections_with_v() -> None:
    done = opskit("db", "suggest-indexes", EXAMPLE_LOG, "--schema", EXAMPLE_SCHEMA, "-v")
    assert done.returncode == 0
    assert "Suggested indexes (offline heuristic)" in done.stdout
    assert "#1  CREATE INDEX CONCURRENTLY orders_customer_id_created_at_idx ON public.orders" in done.stdout
    assert "covered by existing index sessions_token_key" in done.stdout
    assert "note: offline: heuristic, not validated" in done.stdout


def test_unparseable_statements_are_noted_with_their_line(tmp_path: Path) -> None:
    log = tmp_path / "app.sql"
    log.write_text("SELECT id FROM orders WHERE customer_id = 1;\nSELEC garbage FROM;\n")
    report = json.loads(opskit("db", "suggest-indexes", str(log), "--format", "json").stdout)
    assert any(note.startswith(f"{log}:2: cannot parse") for note in report["notes"])


def test_errors_are_one_line_with_exit_codes(tmp_path: Path) -> None:
    missing = opskit("db", "suggest-indexes", str(tmp_path / "nope.log"))
    assert (
        missing.returncode == 2
        and missing.stderr.startswith("opskit: error: ")
        and "nope.log" in missing.stderr
    )
    nothing = opskit("db", "suggest-indexes")
    assert nothing.returncode == 2 and "give at least one LOG" in nothing.stderr
    create = opskit("db", "suggest-indexes", EXAMPLE_LOG, "--create")
    assert create.returncode == 2 and "--create needs --dsn" in create.stderr
    bad_schema = tmp_path / "schema.sql"
    bad_schema.write_text("-- empty dump\n")
    schema = opskit("db", "suggest-indexes", EXAMPLE_LOG, "--schema", str(bad_schema))
    assert schema.returncode == 2 and "no CREATE TABLE found" in schema.stderr
    size = opskit("db", "suggest-indexes", EXAMPLE_LOG, "--max-size", "lots")
    assert size.returncode == 2 and "expected a size" in size.stderr
    for done in (missing, nothing, create, schema, size):
        assert "Traceback" not in done.stderr


def test_output_file_is_written(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    done = opskit(
        "db",
        "suggest-indexes",
        EXAMPLE_LOG,
        "--schema",
        EXAMPLE_SCHEMA,
        "--format",
        "json",
        "-o",
        str(target),
    )
    assert done.returncode == 0 and json.loads(target.read_text())["indexes"]


def test_help_has_examples() -> None:
    for command in ("suggest-indexes", "unused-indexes"):
        assert "Example" in opskit("db", command, "--help").stdout


def test_config_keys_are_long_flag_names(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.opskit.db.suggest-indexes]\nschema = "{EXAMPLE_SCHEMA}"\nmax-indexes = 2\n'
    )
    log = tmp_path / "postgresql.log"
    log.write_bytes(Path(EXAMPLE_LOG).read_bytes())
    report = json.loads(opskit("db", "suggest-indexes", str(log), "--format", "json").stdout)
    assert len(report["indexes"]) == 2
    assert "no --schema: existing indexes are unknown" not in report["notes"]


def test_min_calls_min_time_and_fail_on() -> None:
    base = [EXAMPLE_LOG, "--schema", EXAMPLE_SCHEMA, "--format", "json"]
    everything = json.loads(opskit("db", "suggest-indexes", *base).stdout)["queries"]
    frequent = json.loads(opskit("db", "suggest-indexes", *base, "--min-calls", "100").stdout)["queries"]
    heavy = json.loads(opskit("db", "suggest-indexes", *base, "--min-time", "1000").stdout)["queries"]
    assert len(frequent) < len(everything) and all(q["calls"] >= 100 for q in frequent)
    assert len(heavy) < len(everything) and all(q["total_ms"] >= 1000 for q in heavy)
    gate = opskit("db", "suggest-indexes", EXAMPLE_LOG, "--schema", EXAMPLE_SCHEMA, "--fail-on", "high", "-q")
    assert gate.returncode == 1  # the top index saves over 20% of the workload time


def test_sarif_output() -> None:
    done = opskit("db", "suggest-indexes", EXAMPLE_LOG, "--schema", EXAMPLE_SCHEMA, "--format", "sarif")
    sarif = json.loads(done.stdout)
    results = sarif["runs"][0]["results"]
    assert results and results[0]["ruleId"] == "db.missing-index"
