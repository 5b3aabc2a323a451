"""checks.yml: the shipped examples load, and every mistake is one line naming file and line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opskit.core.errors import InputError
from opskit.core.findings import Severity
from opskit.monitor.checks_file import load_checks
from opskit.monitor.interface import CheckSpec, Condition, SloSpec
from tests.monitor.conftest import opskit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "monitor"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "checks.yml"
    path.write_text(text)
    return path


def test_example_checks_load_with_locations() -> None:
    checks = load_checks(EXAMPLES / "checks.yml")
    assert [c.name for c in checks] == [
        "api-error-ratio",
        "api-p99-latency",
        "api-targets-up",
        "api-error-ratio-last-30m",
    ]
    first = checks[0]
    assert isinstance(first, CheckSpec)
    assert first.fail_when == Condition(">", 0.05) and first.warn_when == Condition(">", 0.01)
    assert first.location is not None and first.location.line == 5
    assert "[5m]" in first.rendered_query()
    ranged = checks[3]
    assert isinstance(ranged, CheckSpec) and (ranged.range, ranged.step, ranged.reduce) == ("30m", "1m", "max")


def test_example_slos_load() -> None:
    slos = load_checks(EXAMPLES / "slo.yml")
    assert all(isinstance(s, SloSpec) for s in slos)
    availability, latency = slos
    assert isinstance(availability, SloSpec) and availability.objective == 99.9 and availability.error_query
    assert isinstance(latency, SloSpec) and latency.period == "7d" and latency.good_query


def test_a_plain_list_mixes_checks_and_slos(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "- {name: up, query: min(up), fail_when: '< 1', severity: critical}\n"
        "- {name: avail, objective: 0.99, total_query: t, error_query: e}\n",
    )
    up, avail = load_checks(path)
    assert isinstance(up, CheckSpec) and up.severity is Severity.CRITICAL
    assert isinstance(avail, SloSpec)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "checks:\n  - name: a\n    query: up\n    fail_when: '< 1'\n    treshold: 3\n",
            ":2: check 'a': unknown key 'treshold'",
        ),
        (
            "checks:\n  - name: a\n    query: up\n    fail_when: 'above 3'\n",
            ":2: check 'a': fail_when 'above 3' must be",
        ),
        ("checks:\n  - name: a\n    query: up\n", ":2: check 'a': give 'fail_when', 'warn_when' or both"),
        ("checks:\n  - name: a\n    fail_when: '> 1'\n", ":2: check 'a': missing 'query'"),
        (
            "checks:\n  - {name: a, query: up, fail_when: '> 1', window: 5 minutes}\n",
            "window: '5 minutes' is not a duration",
        ),
        (
            "checks:\n  - {name: a, query: up, fail_when: '> 1', no_data: ignore}\n",
            "'no_data' must be one of fail, warn, pass",
        ),
        ("checks:\n  - {name: a, query: up, fail_when: '> 1', severity: urgent}\n", "unknown severity 'urgent'"),
        (
            "checks:\n  - {name: a, query: up, fail_when: '> 1'}\n  - {name: a, query: up, fail_when: '> 2'}\n",
            ":3: check 'a': duplicate name",
        ),
        (
            "slos:\n  - {name: s, objective: 100, total_query: t, error_query: e}\n",
            "objective 100 must be between 0 and 1",
        ),
        (
            "slos:\n  - {name: s, objective: 0.99, total_query: t}\n",
            "give exactly one of 'error_query' and 'good_query'",
        ),
        ("checks:\n  - name: a\n    query: [up\n", ":4: invalid YAML"),
        ("alerts: []\n", "unknown top-level key 'alerts'"),
        ("just text\n", "expected a mapping with 'checks' and 'slos'"),
        ("checks: []\n", "no checks or SLOs defined"),
    ],
)
def test_mistakes_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_checks(path)
    assert caught.value.message.startswith(str(path))
    assert message in caught.value.message
    assert "\n" not in caught.value.message


def test_binary_and_missing_files(tmp_path: Path) -> None:
    binary = tmp_path / "checks.yml"
    binary.write_bytes(b"\x7fELF\x00\x00\x01")
    with pytest.raises(InputError, match="binary file"):
        load_checks(binary)
    with pytest.raises(InputError, match="checks file not found"):
        load_checks(tmp_path / "missing.yml")


def test_fifos_as_checks_or_token_file_are_one_line_errors(tmp_path: Path) -> None:
    checks, token = tmp_path / "checks.yml", tmp_path / "token"
    os.mkfifo(checks)
    os.mkfifo(token)
    try:
        _fifo_errors(checks, token)
    finally:  # other tests walk /tmp, and reading a FIFO blocks
        checks.unlink()
        token.unlink()


def _fifo_errors(checks: Path, token: Path) -> None:
    with pytest.raises(InputError, match=r"checks.yml: checks file is a FIFO \(named pipe\), not a regular file"):
        load_checks(checks)
    result = opskit("monitor", "check", "--url", "http://127.0.0.1:9", "--token-file", str(token))
    assert result.returncode == 2
    assert result.stderr == f"opskit: error: {token}: token file is a FIFO (named pipe), not a regular file\n"
    gate = opskit("monitor", "gate", "--url", "http://127.0.0.1:9", "--checks", str(checks))
    assert gate.returncode == 2 and "a FIFO" in gate.stderr and gate.stderr.count("\n") == 1
