"""The one YAML loader for opskit's input files (playbooks, checks files): safe, line-tracking, bounded.

Bounds are enforced once, here, before anything recursive touches the document: nesting depth
is counted on PyYAML's (iterative) event stream, so ``[[[[...`` ten thousand deep is a one-line
error rather than a RecursionError; the size the document would have with every alias expanded
is counted on the node graph (memoised, linear), so an alias bomb is refused before a walk or a
``json.dumps`` of it could explode. Every error names the file and line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from opskit.core.errors import InputError
from opskit.core.inputs import read_input_bytes

MAX_DEPTH = 64
"""Deepest nesting of mappings and sequences accepted (real playbooks and checks files use < 10)."""
MAX_EXPANDED_NODES = 200_000
"""Most scalars, mappings and sequences a document may hold with every alias expanded."""
MAX_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class YamlDocument:
    """Parsed data and the 1-based line of every key and item by dotted path (``image.context``, ``checks.0``)."""

    source: Path
    data: Any
    lines: Mapping[str, int] = field(default_factory=dict)


class _Loader(yaml.SafeLoader):
    """SafeLoader that can also record each mapping's line under ``line_key``."""

    line_key: str | None = None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=deep)
        if self.line_key is not None:
            mapping[self.line_key] = node.start_mark.line + 1
        return mapping


def _check_depth(text: str, source: Path, max_depth: int = MAX_DEPTH) -> None:
    """Refuse nesting deeper than ``max_depth``, counted on the event stream (no recursion)."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
            depth += 1
            if depth > max_depth:
                line = event.start_mark.line + 1 if event.start_mark else 0
                raise InputError(f"{source}:{line}: nested more than {max_depth} levels deep")
        elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
            depth -= 1


def _expanded_size(root: yaml.Node, source: Path) -> int:
    """How many nodes the document has with aliases expanded; InputError past MAX_EXPANDED_NODES."""
    sizes: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        children = _children(node)
        if not children_done:
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        size = 1 + sum(sizes.get(id(child), 1) for child in children)
        if size > MAX_EXPANDED_NODES:
            raise InputError(
                f"{source}:{node.start_mark.line + 1}: expands to more than {MAX_EXPANDED_NODES} values "
                "(YAML aliases repeating an anchor too often)"
            )
        sizes[id(node)] = size
    return sizes.get(id(root), 1)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _key_lines(root: yaml.Node) -> dict[str, int]:
    """Dotted key paths to lines, walked iteratively (bounded by the expanded size check)."""
    out: dict[str, int] = {}
    stack: list[tuple[yaml.Node, str]] = [(root, "")]
    while stack:
        node, prefix = stack.pop()
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                out.setdefault(key, key_node.start_mark.line + 1)
                stack.append((value_node, key))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                key = f"{prefix}.{index}" if prefix else str(index)
                out.setdefault(key, item.start_mark.line + 1)
                stack.append((item, key))
    return out


def _each_node(loader: _Loader) -> Iterator[yaml.Node | None]:
    while loader.check_node():
        yield loader.get_node()


def parse_yaml(text: str, source: Path, line_key: str | None = None) -> YamlDocument:
    """Parse ``text`` (from ``source``) with every bound checked; InputError names file and line."""
    documents = _parse(text, source, line_key, single=True)
    return documents[0] if documents else YamlDocument(source, None, {})


def parse_yaml_documents(text: str, source: Path, max_depth: int = MAX_DEPTH) -> list[YamlDocument]:
    """Every document of a ``---``-separated stream (Kubernetes manifests), each bounded like ``parse_yaml``;
    CRD schemas nest deeper than playbooks, hence ``max_depth``."""
    return _parse(text, source, None, single=False, max_depth=max_depth)


def _parse(text: str, source: Path, line_key: str | None, single: bool, max_depth: int = MAX_DEPTH
           ) -> list[YamlDocument]:
    documents: list[YamlDocument] = []
    try:
        _check_depth(text, source, max_depth)
        loader = _Loader(text)
        loader.line_key = line_key
        try:
            nodes = [loader.get_single_node()] if single else _each_node(loader)
            for node in nodes:
                if node is None:
                    break
                _expanded_size(node, source)
                data = loader.construct_document(node)
                documents.append(YamlDocument(source, data, _key_lines(node)))
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else str(source)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(f"{where}: invalid YAML: {problem}") from None
    except RecursionError:  # a bound above should have caught it; never a traceback
        raise InputError(f"{source}: YAML nested too deeply") from None
    return documents


def load_yaml(path: Path, what: str = "YAML file", line_key: str | None = None) -> YamlDocument:
    """Read and parse a YAML input file: regular files only, UTF-8 text, not binary."""
    raw = read_input_bytes(path, what, MAX_BYTES)  # regular files only: a FIFO never blocks us
    if b"\0" in raw[:8192]:
        raise InputError(f"{path}: binary file, expected YAML")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, expected YAML") from None
    return parse_yaml(text, path, line_key)
