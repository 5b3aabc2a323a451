"""The lint command's options to a LintRequest, with one-line usage errors for bad durations."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opskit.core.errors import UsageError
from opskit.monitor.durations import parse_duration
from opskit.monitor.lint.api import LintRequest
from opskit.monitor.lint.interface import Settings


def _seconds(option: str, text: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as exc:
        raise UsageError(f"--{option}: {exc}") from None
    if seconds <= 0:
        raise UsageError(f"--{option}: must be positive")
    return seconds


def lint_request(paths: tuple[Path, ...], options: Mapping[str, Any]) -> LintRequest:
    if options["staged"] and options["base"]:
        raise UsageError("give either --staged or --base, not both")
    defaults = Settings()
    settings = Settings(
        scrape_interval=_seconds("scrape-interval", options["scrape_interval"]),
        evaluation_interval=_seconds("evaluation-interval", options["evaluation_interval"]),
        required_labels=tuple(options["require_label"]) or defaults.required_labels,
        required_annotations=tuple(options["require_annotation"]) or defaults.required_annotations,
    )
    return LintRequest(
        paths=paths,
        settings=settings,
        staged=options["staged"],
        base=options["base"],
        history=_seconds("history", options["history"]),
        max_series=options["max_series"],
        max_samples=options["max_samples"],
        max_firings=options["max_firings"],
        jobs=options["jobs"],
    )
