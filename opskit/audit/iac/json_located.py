"""JSON with line numbers: the standard library's decoder keeps none, and findings in ``*.tf.json``
need the line of each key. One forward pass over the tokens (strings decoded by the standard
library's C scanner), an explicit stack instead of recursion, lines counted as the pass advances:
linear in the text however long its lines or deep its nesting (refused past ``MAX_NESTING``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # the C scanner, untyped in typeshed
from typing import Any

from opskit.audit.iac.interface import Unparseable

MAX_NESTING = 100  # deeper than any configuration; the HCL parser refuses such nesting too

_TOKEN = re.compile(r'[ \t\n\r]*(?:([{}\[\],:"])|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)'
                    r"|(true|false|null)|([^ \t\n\r])|\Z)")
_LITERALS = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class Member:
    """``"key": value`` in an object; ``line`` is the key's."""

    key: str
    line: int
    value: JsonNode


@dataclass(frozen=True)
class JsonNode:
    """A value and the lines it spans: a scalar, a list of nodes, or a tuple of members (objects)."""

    value: Any
    line: int
    end_line: int
    is_object: bool = False

    @property
    def is_array(self) -> bool:
        return isinstance(self.value, list)

    @property
    def members(self) -> tuple[Member, ...]:
        return self.value if self.is_object else ()


@dataclass
class _Open:
    """An object or array being read: its items so far, and for objects the key waiting for a value."""

    line: int
    is_object: bool
    items: list[Any]
    key: tuple[str, int] | None = None


def parse_json(text: str) -> JsonNode:
    """The document's root value; malformed JSON raises Unparseable with the line."""
    stack: list[_Open] = []
    line, counted, pos = 1, 0, 0
    expect = "value"  # value, key, colon, next (a comma or the closing bracket)
    root: JsonNode | None = None
    while True:
        match = _TOKEN.match(text, pos)
        assert match is not None  # the pattern matches the end of the text
        start = match.start(match.lastindex) if match.lastindex else match.end()
        line += text.count("\n", counted, start)
        counted, pos = start, match.end()
        punct, number, literal, other = match.group(1, 2, 3, 4)
        token = punct or number or literal or other
        if token is None:
            if root is None:
                raise Unparseable("JSON syntax error: unexpected end of file", line)
            return root
        if root is not None or other is not None:
            raise Unparseable(f"JSON syntax error: unexpected {_shown(token)}", line)
        value: JsonNode | None = None
        if punct == '"':
            try:
                string, pos = scanstring(text, pos)
            except json.JSONDecodeError as exc:
                raise Unparseable(f"JSON syntax error: {exc.msg}", line) from None
            if expect == "key":
                stack[-1].key, expect = (string, line), "colon"
                continue
            value = JsonNode(string, line, line) if expect == "value" else None
        elif punct == ":" and expect == "colon":
            expect = "value"
            continue
        elif punct == "," and expect == "next":
            expect = "key" if stack[-1].is_object else "value"
            continue
        elif punct in ("{", "[") and expect == "value":
            if len(stack) >= MAX_NESTING:
                raise Unparseable(f"JSON nested more than {MAX_NESTING} deep", line)
            stack.append(_Open(line, punct == "{", []))
            expect = "key" if punct == "{" else "value"
            continue
        elif punct in ("}", "]"):
            if stack and stack[-1].is_object == (punct == "}") and \
                    (expect == "next" or (not stack[-1].items and expect == ("key" if punct == "}" else "value"))):
                done = stack.pop()
                value = JsonNode(tuple(done.items) if done.is_object else done.items, done.line, line, done.is_object)
        elif expect == "value" and punct is None:
            value = JsonNode(_LITERALS[literal] if literal else _number(number), line, line)
        if value is None:
            raise Unparseable(f"JSON syntax error: unexpected {_shown(token)}", line)
        if not stack:
            root = value
            continue
        top = stack[-1]
        if top.is_object:
            assert top.key is not None
            top.items.append(Member(top.key[0], top.key[1], value))
        else:
            top.items.append(value)
        expect = "next"


def _number(text: str) -> int | float:
    return float(text) if any(c in text for c in ".eE") else int(text)


def _shown(token: str) -> str:
    """A token for an error message; never more than one character of what may be a secret."""
    return f"{token[0]!r}..." if len(token) > 1 else repr(token)
