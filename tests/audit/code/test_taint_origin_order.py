"""The origin a taint finding names does not depend on set iteration order (hash seed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from opskit.audit.code.taint import Origin, first_origin

REPO = Path(__file__).resolve().parents[3]
PROBE = """
from opskit.audit.code.taint import Origin, first_origin
kinds = ["http parameter", "http header", "environment", "file", "cookie", "argv"]
origins = frozenset(Origin(source="request.args", kind=k, line=3) for k in kinds)
print(first_origin(origins).kind)
"""


def test_ties_on_line_and_source_are_broken_on_kind_whatever_the_seed() -> None:
    chosen = {
        subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True,
                       env={"PYTHONHASHSEED": str(seed), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
                       ).stdout.strip()
        for seed in range(6)
    }
    assert chosen == {"argv"}


def test_earliest_line_wins() -> None:
    late, early = Origin("request.args", "http parameter", 9), Origin("os.environ", "environment", 2)
    assert first_origin({late, early}) is early
