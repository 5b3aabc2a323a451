"""Where each part of a PromQL expression sits in its text, for the parser that does not say.

promql-parser gives a correct tree but no positions. This lexer reads the same text once (linear
in its length) and files every token under a role and its text: ``metric``, ``call``, ``label``
(inside ``{}``), ``group`` (inside ``by/on/...()``), ``op``, ``number``, ``brace``. The tree
converter then takes them in source order, so the n-th ``rate`` in the tree is the n-th in the text.
"""

from __future__ import annotations

import re
from collections import defaultdict, deque
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""(?P<space>\s+)
      | (?P<comment>\#[^\n]*)
      | (?P<string>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?)
      | (?P<duration>(?:\d+(?:ms|s|m|h|d|w|y))+(?![\w.]))
      | (?P<number>0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)
      | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
      | (?P<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=,(){}\[\]@])
      | (?P<other>.)""",
    re.VERBOSE | re.DOTALL,
)
KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"})
SET_OPS = frozenset({"and", "or", "unless", "atan2"})
AGGREGATORS = frozenset(
    {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk",
     "quantile", "limitk", "limit_ratio"}
)
_GROUPING = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})


@dataclass(frozen=True)
class Token:
    role: str
    text: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Every meaningful token with its role; strings, comments and spaces are dropped."""
    raw = [(m.lastgroup or "other", m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    raw = [t for t in raw if t[0] not in ("space", "comment")]
    out: list[Token] = []
    braces = 0
    grouping = False  # inside the parentheses after by/on/...
    expect_group = False
    for index, (kind, value, start, end) in enumerate(raw):
        following = raw[index + 1][1] if index + 1 < len(raw) else ""
        role = kind
        if kind == "op":
            if value == "{":
                braces += 1
                role = "brace"
            elif value == "}":
                braces = max(0, braces - 1)
            elif value == "(" and expect_group:
                grouping, expect_group = True, False
            elif value == ")" and grouping:
                grouping = False
        elif kind == "ident":
            lowered = value.lower()
            if braces or grouping:
                role = "label" if braces else "group"
            elif lowered in _GROUPING:
                role, expect_group = "keyword", True
            elif lowered in KEYWORDS:
                role = "keyword"
            elif lowered in SET_OPS:
                role, value = "op", lowered
            elif following == "(" or (lowered in AGGREGATORS and following.lower() in ("by", "without")):
                role = "call"
            else:
                role = "metric"
        out.append(Token(role, value, start, end))
    return out


def complexity(found: list[Token]) -> tuple[int, int]:
    """Deepest bracket nesting and number of operators: the parser recurses on both."""
    depth = deepest = operators = 0
    for token in found:
        if token.text in ("(", "[", "{"):
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in (")", "]", "}"):
            depth -= 1
        elif token.role == "op" and token.text != ",":
            operators += 1
    return deepest, operators


class TokenQueues:
    """Tokens by (role, text), taken in order; an exhausted queue answers None, never fails."""

    def __init__(self, found: list[Token]) -> None:
        self.found = found
        self._index = {id(token): index for index, token in enumerate(found)}
        self._queues: dict[tuple[str, str], deque[Token]] = defaultdict(deque)
        self._numbers: deque[Token] = deque()
        for token in found:
            if token.role == "number":
                self._numbers.append(token)
            else:
                self._queues[(token.role, token.text)].append(token)

    def take(self, role: str, text: str) -> Token | None:
        queue = self._queues.get((role, text))
        return queue.popleft() if queue else None

    def following(self, token: Token, steps: int) -> Token | None:
        """The token ``steps`` after ``token`` (a matcher's value after its label and operator)."""
        index = self._index[id(token)] + steps
        return self.found[index] if index < len(self.found) else None

    def selector_end(self, token: Token) -> int:
        """Where the selector starting at ``token`` ends: after its ``{...}`` and ``[...]``, if any."""
        index = self._index[id(token)]
        end = token.end
        for opener, closer in (("{", "}"), ("[", "]")):
            if token.text == opener:  # a nameless selector starts at its brace
                following = index
            elif index + 1 < len(self.found) and self.found[index + 1].text == opener:
                following = index + 1
            else:
                continue
            while following < len(self.found) and self.found[following].text != closer:
                following += 1
            if following < len(self.found):
                index, end = following, self.found[following].end
        return end

    def take_number(self) -> Token | None:
        return self._numbers.popleft() if self._numbers else None
