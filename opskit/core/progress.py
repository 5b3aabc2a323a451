"""Progress bars on a terminal only: silent in CI, with -q, and for machine-readable output.

Colors follow one rule for reports and bars alike: none with ``--no-color`` (or ``no-color`` in
config), ``NO_COLOR`` set to anything, or ``CI=true``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Protocol


class Progress(Protocol):
    def advance(self, amount: float = 1) -> None: ...

    def set_total(self, total: float | None) -> None: ...


class _Silent:
    def advance(self, amount: float = 1) -> None:
        pass

    def set_total(self, total: float | None) -> None:
        pass


class _RichTask:
    def __init__(self, bar: object, task: object) -> None:
        self._bar = bar
        self._task = task

    def advance(self, amount: float = 1) -> None:
        self._bar.advance(self._task, amount)  # type: ignore[attr-defined]

    def set_total(self, total: float | None) -> None:
        self._bar.update(self._task, total=total)  # type: ignore[attr-defined]


_NO_COLOR_FLAG: ContextVar[bool] = ContextVar("opskit_no_color_flag", default=False)


@contextmanager
def no_color_flag(given: bool) -> Iterator[None]:
    """While a command runs: whether the user asked for no color (flag or config)."""
    token = _NO_COLOR_FLAG.set(given)
    try:
        yield
    finally:
        _NO_COLOR_FLAG.reset(token)


def color_allowed(no_color: bool = False) -> bool:
    """Colors unless ``--no-color``, ``NO_COLOR`` (https://no-color.org) or a CI job say no."""
    return not (no_color or _NO_COLOR_FLAG.get() or os.environ.get("NO_COLOR") or in_ci())


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def interactive() -> bool:
    """True when a person watches stderr: a terminal and not a CI job."""
    return sys.stderr.isatty() and not in_ci()


@contextmanager
def progress(description: str, total: float | None, enabled: bool) -> Iterator[Progress]:
    """A rich progress bar on stderr when ``enabled`` and interactive; otherwise a no-op."""
    if not (enabled and interactive()):
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, no_color=not color_allowed()),
        transient=True,
    )
    with bar:
        yield _RichTask(bar, bar.add_task(description, total=total))
