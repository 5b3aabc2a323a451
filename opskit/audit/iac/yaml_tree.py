"""Parsed YAML manifests as nodes that know their line: a check asks for a key and reports at it, or,
when the key is absent, at the nearest enclosing key that is there (the container, the pod spec)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from opskit.audit.iac.interface import Hit, Unparseable
from opskit.core.errors import InputError
from opskit.core.yamlfile import parse_yaml_documents

_WHERE = re.compile(r"^(?P<line>\d+): (?P<message>.*)$", re.DOTALL)


@dataclass(frozen=True)
class Node:
    """A value in one YAML document and the dotted path (``spec.containers.0.image``) to it."""

    value: Any
    path: str
    lines: Mapping[str, int]

    def get(self, *keys: str | int) -> Node:
        """The child at ``keys``; its value is None when a key is absent or a parent is not a mapping/list."""
        value, path = self.value, self.path
        for key in keys:
            if isinstance(value, dict):
                value = value.get(key)
            elif isinstance(value, list) and isinstance(key, int) and 0 <= key < len(value):
                value = value[key]
            else:
                value = None
            path = f"{path}.{key}" if path else str(key)
        return Node(value, path, self.lines)

    def items(self) -> Iterator[Node]:
        """The entries of a sequence (nothing for any other value)."""
        if isinstance(self.value, list):
            for index, value in enumerate(self.value):
                yield Node(value, f"{self.path}.{index}" if self.path else str(index), self.lines)

    def text(self) -> str | None:
        """The value when it is a string, else None."""
        return self.value if isinstance(self.value, str) else None

    def line(self) -> int:
        """The line of this key, or of the nearest enclosing key present in the document."""
        path = self.path
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path.rpartition(".")[0]
        return min(self.lines.values(), default=1)


def read_documents(path: str, text: str, max_depth: int) -> list[Node]:
    """Every document of ``text`` as a root node; Unparseable (with its line) when the YAML is invalid."""
    try:
        documents = parse_yaml_documents(text, Path(path), max_depth=max_depth)
    except InputError as exc:
        where = _WHERE.match(exc.message.removeprefix(f"{path}:"))
        message, line = (where["message"], int(where["line"])) if where else (exc.message, None)
        if re.search(r"(?<!\$)\{\{", text):  # a workflow's ${{ }} is not a template
            message = f"a Helm or Go template (render it first, e.g. helm template): {message}"
        raise Unparseable(message, line) from None
    return [Node(document.data, "", document.lines) for document in documents]


@dataclass(frozen=True)
class Reporter:
    """Makes hits for one file: the line from the node, the snippet from the source line."""

    lines: Sequence[str]

    def hit(self, rule_id: str, at: Node, message: str, offending: str, secrets: tuple[str, ...] = (),
            resource: str = "") -> Hit:
        line = at.line()
        snippet = self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""
        if any(secret not in snippet for secret in secrets):  # quoted, escaped or on a later line: show it
            snippet = f"{re.split(r'[:=]', snippet, maxsplit=1)[0]}: {' '.join(secrets)}"  # (the scanner masks it)
        return Hit(rule_id, line, message, offending=offending, snippet=snippet, secrets=secrets, resource=resource)
