"""The alert replay's firing count: a run of present steps fires once it lasts ``for``."""

from __future__ import annotations

import pytest

from opskit.monitor.lint.live.history import count_firings


@pytest.mark.parametrize(
    ("times", "hold", "firings"),
    [
        ([0, 15, 30, 45], 0, 1),  # one unbroken run
        ([0, 15, 60, 75, 120], 0, 3),  # gaps end runs
        ([0, 15, 30, 45], 60, 0),  # never held long enough
        ([0, 15, 30, 45, 60, 90, 105], 45, 1),  # the second run is too short
        ([], 0, 0),
    ],
)
def test_count_firings(times: list[float], hold: float, firings: int) -> None:
    assert count_firings(times, 15.0, hold) == firings
