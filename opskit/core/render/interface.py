"""The renderer contract: a Report in, a string out; no I/O, so every format is testable."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod

from opskit.core.findings import Report


class Renderer(ABC):
    """Turns a Report into the text of one output format."""

    name: str

    @abstractmethod
    def render(self, report: Report) -> str: ...


FORMATS = ("text", "json", "sarif")

# json.dumps with indentation runs CPython's pure-Python encoder (seconds for 90k findings);
# past this many findings machine output is written compact, which the C encoder does fast.
PRETTY_LIMIT = 2000


def dump_json(doc: object, items: int) -> str:
    """JSON text of ``doc``: indented for people, compact when ``items`` makes indenting slow."""
    return json.dumps(doc, indent=2 if items <= PRETTY_LIMIT else None, default=str) + "\n"


def get_renderer(fmt: str, *, color: bool = False, verbose: int = 0) -> Renderer:
    """The renderer for ``fmt`` (one of FORMATS)."""
    from opskit.core.render.json import JsonRenderer
    from opskit.core.render.sarif import SarifRenderer
    from opskit.core.render.text import TextRenderer

    if fmt == "json":
        return JsonRenderer()
    if fmt == "sarif":
        return SarifRenderer()
    if fmt == "text":
        return TextRenderer(color=color, verbose=verbose)
    raise ValueError(f"unknown format {fmt!r}")
