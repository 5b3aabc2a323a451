"""Name globs and constant lists from the rule files, compiled once into fast predicates."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from opskit.audit.code.syntax import UNKNOWN


@lru_cache(maxsize=4096)
def _compile(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    if not patterns:
        return lambda name: False
    # "[" is literal in rule globs (session[*] is an item of session), not a character class.
    regex = re.compile("|".join(f"(?:{fnmatch.translate(p.replace('[', '[[]'))})" for p in patterns))
    return lambda name: regex.match(name) is not None


def globs(patterns: Iterable[str]) -> Callable[[str], bool]:
    """A predicate: does a dotted name match any glob (``*`` also crosses dots)?"""
    return _compile(tuple(patterns))


def prefixes(names: Iterable[str]) -> Callable[[str], bool]:
    """A predicate: is a dotted name one of ``names`` or an attribute, item or call below one?"""
    alternatives = "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))
    if not alternatives:
        return lambda name: False
    regex = re.compile(f"(?:{alternatives})(?:$|[.\\[])")
    return lambda name: regex.match(name) is not None


def constant_in(value: Any, allowed: tuple[Any, ...]) -> bool:
    """Whether a folded constant is one of ``allowed`` (a list constant matches by any member)."""
    if value is UNKNOWN:
        return False
    if isinstance(value, tuple):
        return any(constant_in(item, allowed) for item in value)
    for option in allowed:
        if isinstance(option, bool) or isinstance(value, bool):
            if isinstance(option, bool) and isinstance(value, bool) and option is value:
                return True
        elif option == value:
            return True
    return False
