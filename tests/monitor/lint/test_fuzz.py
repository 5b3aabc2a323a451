"""Mangled expressions (seeded mutations of every check's examples) never crash the offline lint:
each is parsed or becomes a syntax finding, and every check runs over the rest."""

from __future__ import annotations

import json
import random

from opskit.monitor.lint.api import offline_problems, prepare
from opskit.monitor.lint.checks import OFFLINE_CHECKS
from opskit.monitor.lint.interface import Settings
from opskit.monitor.lint.loader import load_text

PIECES = [*'(){}[],=~!<>+-*/%^"\' :_ax0.5@', "by", "on", "rate", "sum", "offset", "bool", "and", "group_left", "5m"]


def _seeds() -> list[str]:
    return [
        line.split("expr:", 1)[1].strip()
        for check in OFFLINE_CHECKS
        for example in (*check.bad, *check.good)
        for line in example.splitlines()
        if line.strip().startswith("expr:")
    ]


def _mutate(rng: random.Random, text: str) -> str:
    chars = list(text)
    for _ in range(rng.randint(1, 4)):
        at = rng.randint(0, max(0, len(chars) - 1))
        roll = rng.random()
        if roll < 0.4 or not chars:
            chars.insert(at, rng.choice(PIECES))
        elif roll < 0.7:
            del chars[at]
        else:
            chars[at] = rng.choice(PIECES)
    return "".join(chars)


def test_mutated_expressions_never_crash_the_checks() -> None:
    rng = random.Random(15)
    seeds = _seeds()
    parsed = failed = 0
    for _ in range(1500):
        expr = _mutate(rng, rng.choice(seeds))
        text = (f"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: {json.dumps(expr)}\n"
                '    annotations: {summary: "{{ $labels.x }}"}\n')
        rules = prepare(load_text("fuzz.yml", text).rules)
        offline_problems(rules, Settings())
        parsed += sum(r.expr is not None for r in rules)
        failed += sum(r.error is not None for r in rules)
    assert parsed > 100 and failed > 100  # both paths were exercised
