"""Read rule files as Prometheus loads them, Kubernetes PrometheusRule objects and any ``groups``
list in plain YAML, keeping the line and column of every key and of every character of ``expr``.

PyYAML's node tree (``compose``) keeps marks; values are aligned back to their source text once,
in time linear in its length, so block, folded and quoted scalars are all placed.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

from opskit.core.errors import InputError
from opskit.core.findings import Severity
from opskit.core.inputs import read_input_bytes
from opskit.monitor.durations import parse_duration
from opskit.monitor.lint.interface import Group, Problem, Rule, RuleKind, RuleSet, TextMap

RULE_SUFFIXES = (".yml", ".yaml")
STRUCTURE = "rules/structure"
MAX_FILE_BYTES = 20 * 1024 * 1024
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: ~10x faster, same marks
# A template action at the start of a line (Helm's ``{{- if ... }}``, Jinja's ``{% if %}``; YAML
# content never starts at column 0 inside a document's mapping): the file is a template that renders
# rules, not a rule file, and its YAML errors are the template's, not ours.
_TEMPLATE_LINE = re.compile(r"^(?:\{\{|\{%)", re.MULTILINE)
_RULE_KEYS = frozenset({"alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"})


class _Source:
    """One file's text with offset -> (line, column) lookups."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.starts = [0] + [match.end() for match in re.finditer("\n", text)]

    def place(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, index) - 1
        return line + 1, index - self.starts[line] + 1

    def text_map(self, node: yaml.ScalarNode) -> TextMap:
        """Align each character of the scalar's value to its source (stops aligning at escapes)."""
        value, text = str(node.value), self.text
        j, end = node.start_mark.index, node.end_mark.index
        if node.style in ("|", ">"):
            j = text.find("\n", j, end) + 1 or j
        elif node.style in ('"', "'"):
            j += 1
        lines: list[int] = []
        columns: list[int] = []
        last = j
        aligned = True
        for ch in value:
            if aligned and not ch.isspace():
                found = text.find(ch, j, end)
                if found < 0:
                    aligned = False
                else:
                    last, j = found, found + 1
            line, column = self.place(last)
            lines.append(line)
            columns.append(column)
        line, column = self.place(node.start_mark.index)
        return TextMap(tuple(lines), tuple(columns), line, column)

    def last_line(self, node: yaml.Node) -> int:
        """The line of a node's last character (PyYAML's end mark sits at the next token)."""
        index = node.end_mark.index
        while index > node.start_mark.index and self.text[index - 1].isspace():
            index -= 1
        return self.place(max(index - 1, node.start_mark.index))[0]

    def mark(self, node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1


def _pairs(node: yaml.Node) -> Iterator[tuple[str, yaml.Node, yaml.Node]]:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                yield str(key.value), key, value


def _scalar(node: yaml.Node) -> str | None:
    return str(node.value) if isinstance(node, yaml.ScalarNode) and node.tag != "tag:yaml.org,2002:null" else None


def _prometheus_rules(rules: yaml.Node, verdicts: dict[int, bool]) -> bool:
    """False for another tool's ``rules`` under ``groups`` (Grafana's provisioned alerts have uid,
    title, condition, data): no rule mapping has alert, record or expr. Each list judged once."""
    if id(rules) not in verdicts:
        mappings = [item for item in rules.value if isinstance(item, yaml.MappingNode)] \
            if isinstance(rules, yaml.SequenceNode) else []
        verdicts[id(rules)] = not mappings or any(
            key in ("alert", "record", "expr") for item in mappings for key, _, _ in _pairs(item))
    return verdicts[id(rules)]


def _is_group_list(node: yaml.Node, verdicts: dict[int, bool]) -> bool:
    if not isinstance(node, yaml.SequenceNode):
        return False
    groups = [{key: value for key, _, value in _pairs(item)} for item in node.value]
    return all("rules" in group and _prometheus_rules(group["rules"], verdicts) for group in groups)


def _group_lists(root: yaml.Node) -> Iterator[yaml.SequenceNode]:
    """Every ``groups:`` list of rule groups anywhere in a document (iterative, any depth; each node
    once, so aliases cannot make the walk exponential)."""
    stack = [root]
    seen: set[int] = set()
    verdicts: dict[int, bool] = {}
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for key, _, value in _pairs(node):
            if key == "groups" and _is_group_list(value, verdicts):
                assert isinstance(value, yaml.SequenceNode)
                yield value
            else:
                stack.append(value)
        if isinstance(node, yaml.SequenceNode):
            stack.extend(reversed(node.value))


class _FileLoader:
    def __init__(self, source: _Source) -> None:
        self.source = source
        self.rules: list[Rule] = []
        self.groups: list[Group] = []
        self.problems: list[Problem] = []
        self.done: set[int] = set()  # group and rule nodes read: an alias repeated is read once

    def first_time(self, node: yaml.Node) -> bool:
        if id(node) in self.done:
            return False
        self.done.add(id(node))
        return True

    def problem(self, node: yaml.Node, message: str) -> None:
        line, column = self.source.mark(node)
        self.problems.append(Problem(STRUCTURE, message, Severity.HIGH, place=(self.source.path, line, column)))

    def duration(self, node: yaml.Node, what: str) -> float | None:
        text = _scalar(node)
        try:
            return parse_duration(text or "")
        except ValueError:
            self.problem(node, f"{what} {text!r} is not a duration like 30s, 5m or 1h")
            return None

    def group(self, node: yaml.Node) -> None:
        if not self.first_time(node):
            return
        fields = {key: value for key, _, value in _pairs(node)}
        name = (_scalar(fields["name"]) if "name" in fields else None) or ""
        if not name:
            self.problem(node, "rule group without a name")
        interval = self.duration(fields["interval"], "group interval") if "interval" in fields else None
        line, column = self.source.mark(node)
        self.groups.append(Group(name, self.source.path, interval, line, column))
        rules = fields.get("rules")
        if not isinstance(rules, yaml.SequenceNode):
            self.problem(rules or node, f"group {name!r}: rules must be a list")
            return
        for item in (item for item in rules.value if self.first_time(item)):
            self.rule(item, name, interval)

    def rule(self, node: yaml.Node, group: str, interval: float | None) -> None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"group {group!r}: a rule must be a mapping")
            return
        places = {"rule": self.source.mark(node)}
        values: dict[str, yaml.Node] = {}
        maps: dict[str, dict[str, str]] = {"labels": {}, "annotations": {}}
        for key, key_node, value in _pairs(node):
            if key not in _RULE_KEYS:
                self.problem(key_node, f"unknown rule field {key!r}")
                continue
            values[key] = value
            places[key] = self.source.mark(value)
            if key in maps:
                for sub, sub_key, sub_value in _pairs(value):
                    maps[key][sub] = _scalar(sub_value) or ""
                    places[f"{key}.{sub}"] = self.source.mark(sub_key)
        kinds = [k for k in ("alert", "record") if k in values]
        if len(kinds) != 1:
            self.problem(node, "a rule needs exactly one of 'alert' or 'record'")
            return
        kind = RuleKind(kinds[0])
        name = _scalar(values[kind.value]) or ""
        places["name"] = places[kind.value]
        expr_node = values.get("expr")
        if not isinstance(expr_node, yaml.ScalarNode) or not str(expr_node.value).strip():
            self.problem(expr_node or node, f"{kind.value} {name!r}: 'expr' is missing or empty")
            return
        for_seconds = self.duration(values["for"], "'for'") if "for" in values else None
        if kind is RuleKind.RECORD and ("for" in values or "annotations" in values):
            self.problem(node, f"recording rule {name!r} cannot have 'for' or 'annotations'")
        self.rules.append(
            Rule(
                kind=kind,
                name=name,
                expr=str(expr_node.value),
                path=self.source.path,
                group=group,
                group_interval=interval,
                for_seconds=for_seconds,
                labels=maps["labels"],
                annotations=maps["annotations"],
                places=places,
                expr_map=self.source.text_map(expr_node),
                lines=(node.start_mark.line + 1, self.source.last_line(node)),
            )
        )


def load_text(path: str, text: str) -> RuleSet:
    """Rules and groups of one file's text; problems for invalid YAML or a wrong shape."""
    loader = _FileLoader(_Source(path, text))
    try:
        documents = list(yaml.compose_all(text, Loader=_LOADER))
    except yaml.YAMLError as exc:
        if "groups" not in text or _TEMPLATE_LINE.search(text):  # a template or other manifest: not ours
            return RuleSet((), ())
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        invalid = Problem(STRUCTURE, f"invalid YAML: {problem}", Severity.HIGH, place=(path, line, column))
        return RuleSet((), (), (invalid,))
    except RecursionError:
        deep = Problem(STRUCTURE, "YAML nested too deeply", Severity.HIGH, place=(path, 1, 1))
        return RuleSet((), (), (deep,))
    for document in documents:
        if document is None:
            continue
        for groups in _group_lists(document):
            for group in groups.value:
                loader.group(group)
    return RuleSet(loader.rules, loader.groups, loader.problems)


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the *.yml/*.yaml files below directories, sorted; InputError if missing."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())
        else:
            found.append(path)  # read_input_bytes says what is wrong with anything but a regular file
    return sorted(set(found))


def load_files(paths: Iterable[Path]) -> RuleSet:
    """Every rule of every file; unreadable or binary files are InputErrors naming the file."""
    rules: list[Rule] = []
    groups: list[Group] = []
    problems: list[Problem] = []
    for path in rule_files(paths):
        raw = read_input_bytes(path, "rule file", MAX_FILE_BYTES)
        if b"\0" in raw[:8192]:
            raise InputError(f"{path}: binary file, expected YAML rules")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text, expected YAML rules") from None
        loaded = load_text(str(path), text)
        rules += loaded.rules
        groups += loaded.groups
        problems += loaded.problems
    return RuleSet(rules, groups, problems)
