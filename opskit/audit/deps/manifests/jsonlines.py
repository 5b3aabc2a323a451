"""Line numbers of keys in a JSON document, in one linear pass (``json`` gives no positions)."""

from __future__ import annotations

import re

_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|[{}\[\],:\n]')
ARRAY = "[]"  # path element standing for "inside an array"
MAX_DEPTH = 200  # keys deeper than this get no line: copying longer paths would make the pass quadratic


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each object key's path (``("packages", "node_modules/lodash")``) to its 1-based line.

    Keys inside arrays get ``ARRAY`` in their path; keys nested deeper than ``MAX_DEPTH`` are left
    out. Malformed JSON yields whatever was seen; the caller has parsed the document with ``json``.
    """
    lines: dict[tuple[str, ...], int] = {}
    path: list[str] = []
    kinds: list[str] = []  # "{" or "[" per open container
    line = 1
    expect_key = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token == "{":
            kinds.append("{")
            path.append("")
            expect_key = True
        elif token == "[":
            kinds.append("[")
            path.append(ARRAY)
        elif token in "}]":
            if kinds:
                kinds.pop()
                path.pop()
            expect_key = False
        elif token == ",":
            expect_key = bool(kinds) and kinds[-1] == "{"
        elif token == ":":
            expect_key = False
        elif expect_key:
            path[-1] = _unquote(token)
            if len(path) <= MAX_DEPTH:
                lines.setdefault(tuple(path), line)
            expect_key = False
    return lines


def _unquote(token: str) -> str:
    body = token[1:-1]
    if "\\" not in body:
        return body
    import json

    try:
        return str(json.loads(token))
    except ValueError:
        return body
