"""The Go-backed Dockerfile parser also works in a worker forked after the parent loaded it."""

from __future__ import annotations

import multiprocessing

from opskit.audit.iac import dockerfile_parser
from opskit.audit.iac.dockerfile_parser import Instruction, parse_dockerfile

DOCKERFILE = "# escape=`\nFROM python:3.12 AS app\nRUN <<EOF\ncurl -s https://x.example | sh\nEOF\nUSER app\n"


def summary(text: str) -> list[tuple[str, int, int, tuple[str, ...]]]:
    return [(i.command, i.start_line, i.end_line, i.heredocs) for i in parse_dockerfile(text)]


def first_instruction(text: str) -> Instruction:
    return parse_dockerfile(text)[0]


def parses_in_process() -> bool:
    return dockerfile_parser._library() is not None


def test_parse_keeps_lines_and_heredocs() -> None:
    assert summary(DOCKERFILE) == [("FROM", 2, 2, ()), ("RUN", 3, 5, ("curl -s https://x.example | sh\n",)),
                                   ("USER", 6, 6, ())]


def test_parse_in_a_worker_forked_after_loading() -> None:
    expected = summary(DOCKERFILE)  # loads the Go library in this process
    assert parses_in_process()
    with multiprocessing.get_context("fork").Pool(1) as pool:
        # The worker inherited a loaded Go runtime, which may hang on a call: it parses in a subprocess.
        # (Were it to hang, the timeout turns that into an error instead of a stuck run.)
        assert pool.apply_async(parses_in_process).get(timeout=120) is False
        assert pool.apply_async(summary, (DOCKERFILE,)).get(timeout=120) == expected
        assert pool.apply_async(first_instruction, ("FROM alpine:3.20\n",)).get(timeout=120).args == ("alpine:3.20",)
