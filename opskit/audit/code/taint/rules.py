"""The rulebook's sources, sanitizers, guards, sinks and flags for one language, compiled to predicates."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from opskit.audit.code.interface import Rulebook
from opskit.audit.code.matching import globs, prefixes

Table = Sequence[tuple[Callable[[str], bool], frozenset[int]]]


class LanguageRules:
    """What one language's sources, sanitizers, guards and sinks are, as fast name predicates."""

    def __init__(self, book: Rulebook, language: str) -> None:
        sources = [s for s in book.sources if s.language == language]
        self.source_kinds = [(prefixes(s.prefixes), globs(s.calls), s.kind) for s in sources]
        self.sanitizers = [(globs(s.calls), s.cwes) for s in book.sanitizers if s.language == language]
        self.guards = [(globs(s.calls), s.cwes) for s in book.guards if s.language == language]
        sinks = [s for s in book.sinks if s.language == language]
        self.call_sinks = [(globs(s.calls), s) for s in sinks if s.calls]
        self.assign_sinks = [(globs(s.assigns), s) for s in sinks if s.assigns]
        self.return_sinks = [s for s in sinks if s.route_return]
        self.flags = [(globs(f.calls), f) for f in book.flags if f.language == language]
        self.cwe = {rule.id: rule.cwe for rule in book.rules.values()}

    def source(self, name: str, call: bool) -> str | None:
        for under, calls, kind in self.source_kinds:
            if under(name) or (call and calls(name)):
                return kind
        return None

    @staticmethod
    def sanitizer(name: str, table: Table) -> frozenset[int] | None:
        for matches, cwes in table:
            if matches(name):
                return cwes
        return None
