"""Every offline check fires on each of its bad examples and stays silent on each good one."""

from __future__ import annotations

import pytest

from opskit.monitor.lint.api import prepare
from opskit.monitor.lint.checks import OFFLINE_CHECKS
from opskit.monitor.lint.interface import Check, Settings
from opskit.monitor.lint.loader import load_text

CASES = [
    pytest.param(check, example, verdict, id=f"{check.id}-{verdict}-{index}")
    for check in OFFLINE_CHECKS
    for verdict, examples in (("bad", check.bad), ("good", check.good))
    for index, example in enumerate(examples)
]


def _run(check: Check, example: str) -> list[str]:
    text = "groups:\n  - name: example\n    rules:\n" + "".join(f"      {line}\n" for line in example.splitlines())
    loaded = load_text("example.yml", text)
    assert not loaded.problems, loaded.problems
    return [p.message for p in check.run_all(prepare(loaded.rules), Settings())]


def test_every_check_has_examples_both_ways() -> None:
    for check in OFFLINE_CHECKS:
        assert check.bad and check.good, check.id


@pytest.mark.parametrize(("check", "example", "verdict"), CASES)
def test_check_examples(check: Check, example: str, verdict: str) -> None:
    messages = _run(check, example)
    if verdict == "bad":
        assert messages, f"{check.id} missed:\n{example}"
    else:
        assert not messages, f"{check.id} false alarm on:\n{example}\n{messages}"
