"""The one wrapper around pyahocorasick: every rule keyword in one automaton, one pass per text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import ahocorasick


class KeywordIndex:
    """Maps keyword hits in a lowercased text to the rules that asked for that keyword."""

    def __init__(self, keywords: Iterable[tuple[str, int]]) -> None:
        owners: dict[str, list[int]] = {}
        for word, owner in keywords:
            owners.setdefault(word, []).append(owner)
        self._automaton = ahocorasick.Automaton()
        for word, indices in owners.items():
            self._automaton.add_word(word, (len(word), tuple(sorted(set(indices)))))
        self._empty = not owners
        if owners:
            self._automaton.make_automaton()

    def hits(self, lowered: str) -> Iterator[tuple[int, int, tuple[int, ...]]]:
        """(start, end, owners) for every keyword occurrence; ``end`` is exclusive."""
        if self._empty:
            return
        for last, (length, owners) in self._automaton.iter(lowered):
            yield last + 1 - length, last + 1, owners
