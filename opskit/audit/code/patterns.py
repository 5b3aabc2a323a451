"""Pattern checks: insecure calls, options, assignments and literals (weak hashes, TLS off, CORS "*", ...).

Cheap by construction: a keyword regex built from the rules finds the few places worth looking
at, and only the syntax nodes around those places are matched against the rules.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from opskit.audit.code.interface import Analysis, Hit, Matcher, Rulebook
from opskit.audit.code.matching import constant_in, globs
from opskit.audit.code.syntax import UNKNOWN, ParsedFile, constant, string_value

CALLS = frozenset({"call", "call_expression", "new_expression"})
ASSIGNMENTS = frozenset({"assignment", "assignment_expression", "variable_declarator"})
PAIRS = frozenset({"pair"})
REFERENCES = frozenset({"attribute", "member_expression"})
STOP = frozenset({"expression_statement", "block", "statement_block", "module", "program", "lexical_declaration",
                  "function_definition", "function_declaration", "class_definition", "decorated_definition"})
FUNCTIONS = frozenset({"function_definition", "function_declaration", "method_definition"})
DEFINITIONS = FUNCTIONS | {"class_definition", "class_declaration", "decorated_definition"}
MAX_CLIMB = 10
# Names too common to tell whether a file is worth parsing; a more specific part of the rule is used.
GENERIC_WORDS = frozenset({"new", "get", "post", "set", "run", "request", "load", "open", "header"})


@dataclass(frozen=True)
class _CompiledMatcher:
    rule: str
    spec: Matcher
    context: re.Pattern[str] | None


@dataclass
class _Arguments:
    """A call's constant arguments: positional values and options (keywords or object/dict keys)."""

    positional: list[Any]
    options: dict[str, Any]


def _keywords(spec: Matcher) -> list[str]:
    """Words a file must contain for ``spec`` to match anywhere in it (one per alternative)."""
    if spec.kwarg:
        return list(spec.kwarg)
    if spec.arg:
        return [str(v) for values in spec.arg.values() for v in values if isinstance(v, str)][:8]
    words = []
    for pattern in (*spec.calls, *spec.assigns, *spec.pairs, *spec.references):
        parts = [p for p in re.split(r"[^A-Za-z0-9_\-]+", pattern) if p]
        # The last name is what a call site spells out, even when the module was imported under an alias.
        specific = [p for p in parts if p not in GENERIC_WORDS]
        if parts and parts[-1] not in GENERIC_WORDS and pattern[-1] != "*":
            words.append(parts[-1])
        elif specific:
            words.append(max(specific, key=len))
        else:
            words.append(parts[-1] if parts else pattern)
    return words


class PatternAnalysis(Analysis):
    """Runs the pattern rules of a ``Rulebook`` over one parsed file."""

    def __init__(self, rulebook: Rulebook) -> None:
        self.by_language: dict[str, list[_CompiledMatcher]] = {}
        keywords: dict[str, set[str]] = {}
        for rule in rulebook.patterns:
            for spec in rule.matchers:
                context = re.compile(spec.context) if spec.context else None
                self.by_language.setdefault(spec.language, []).append(_CompiledMatcher(rule.rule, spec, context))
                keywords.setdefault(spec.language, set()).update(_keywords(spec))
        self.keywords = {
            language: re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)).encode())
            for language, words in keywords.items()
        }

    def wants(self, source: bytes, language: str) -> bool:
        """Whether a file mentions any word a pattern rule needs (decides whether to parse it)."""
        keywords = self.keywords.get(language)
        return keywords is not None and keywords.search(source) is not None

    def run(self, unit: ParsedFile) -> list[Hit]:
        matchers = self.by_language.get(unit.language, [])
        keywords = self.keywords.get(unit.language)
        if not matchers or keywords is None:
            return []
        hits: dict[tuple[str, int, int], Hit] = {}
        seen: set[int] = set()
        for match in keywords.finditer(unit.source):
            for node in _candidates(unit.root.descendant_for_byte_range(match.start(), match.end())):
                if node.id in seen:
                    continue
                seen.add(node.id)
                for hit in _match_node(unit, node, matchers):
                    hits.setdefault((hit.rule, hit.line, hit.column), hit)
        return sorted(hits.values(), key=lambda h: (h.line, h.column, h.rule))


def _candidates(node: Node | None) -> Iterator[Node]:
    """The calls, assignments, literal entries and references enclosing a keyword, up to its statement."""
    for _ in range(MAX_CLIMB):
        if node is None or node.type in STOP:
            return
        if node.type in CALLS or node.type in ASSIGNMENTS or node.type in PAIRS or node.type in REFERENCES:
            yield node
        node = node.parent


def _match_node(unit: ParsedFile, node: Node, matchers: list[_CompiledMatcher]) -> Iterator[Hit]:
    kind = node.type
    if kind in CALLS:
        name = unit.name(node.child_by_field_name("function") or node.child_by_field_name("constructor"))
        if name is None:
            return
        arguments: _Arguments | None = None
        for matcher in matchers:
            if not matcher.spec.calls or not globs(matcher.spec.calls)(name):
                continue
            arguments = arguments or _arguments(unit, node)
            if _call_holds(matcher.spec, arguments) and _context_holds(unit, matcher, node):
                yield _hit(unit, matcher, node, f"{name}(...)")
    elif kind in ASSIGNMENTS:
        target = node.child_by_field_name("left") or node.child_by_field_name("name")
        value = node.child_by_field_name("right") or node.child_by_field_name("value")
        name = unit.name(target)
        if name is None or value is None:
            return
        for matcher in matchers:
            if matcher.spec.assigns and globs(matcher.spec.assigns)(name) and _value_holds(unit, matcher, value) \
                    and _context_holds(unit, matcher, node):
                yield _hit(unit, matcher, node, f"{name} = {unit.text(value)[:40]}")
    elif kind in PAIRS:
        key = _key(unit, node.child_by_field_name("key"))
        value = node.child_by_field_name("value")
        if key is None or value is None:
            return
        for matcher in matchers:
            if matcher.spec.pairs and globs(matcher.spec.pairs)(key) and _value_holds(unit, matcher, value):
                yield _hit(unit, matcher, node, f"{key}: {unit.text(value)[:40]}")
    elif kind in REFERENCES:
        parent = node.parent
        if parent is not None and parent.type in REFERENCES and parent.child_by_field_name("object") == node:
            return  # only the whole dotted name counts
        name = unit.name(node)
        if name is None:
            return
        for matcher in matchers:
            if matcher.spec.references and globs(matcher.spec.references)(name) and \
                    _context_holds(unit, matcher, node):
                yield _hit(unit, matcher, node, name)


def _key(unit: ParsedFile, node: Node | None) -> str | None:
    if node is None:
        return None
    text = string_value(unit, node)
    return text if text is not None else unit.text(node)


def _arguments(unit: ParsedFile, call: Node) -> _Arguments:
    result = _Arguments([], {})
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.type not in ("argument_list", "arguments"):
        return result
    for arg in arguments.named_children:
        if arg.type == "comment":
            continue
        if arg.type == "keyword_argument":
            name, value = arg.child_by_field_name("name"), arg.child_by_field_name("value")
            if name is not None and value is not None:
                result.options[unit.text(name).lower()] = _value(unit, value)
                _options(unit, value, result.options)
            continue
        result.positional.append(_value(unit, arg))
        _options(unit, arg, result.options)
    return result


def _options(unit: ParsedFile, node: Node, options: dict[str, Any]) -> None:
    """The keys of a dict/object literal argument (nested ones too), lower-cased, with constant values."""
    if node.type not in ("dictionary", "object"):
        return
    for pair in node.named_children:
        if pair.type != "pair":
            continue
        key = _key(unit, pair.child_by_field_name("key"))
        value = pair.child_by_field_name("value")
        if key is None or value is None:
            continue
        options.setdefault(key.lower(), constant(unit, value))
        _options(unit, value, options)


def _call_holds(spec: Matcher, args: _Arguments) -> bool:
    for position, allowed in spec.arg.items():
        if position >= len(args.positional) or not _constant_matches(args.positional[position], allowed):
            return False
    if spec.kwarg and not any(_constant_matches(args.options.get(k.lower(), UNKNOWN), v)
                              for k, v in spec.kwarg.items()):
        return False
    if any(_constant_matches(args.options.get(k.lower(), UNKNOWN), v) for k, v in spec.unless_kwarg.items()):
        return False
    if any(k.lower() in args.options for k in spec.unless_present):
        return False
    if spec.missing and not any(args.options.get(k.lower(), False) in (False, None) for k in spec.missing):
        return False
    count = len(args.positional) + len(args.options)
    return (spec.min_args is None or count >= spec.min_args) and (spec.max_args is None or count <= spec.max_args)


def _constant_matches(value: Any, allowed: tuple[Any, ...]) -> bool:
    if isinstance(value, str):
        return constant_in(value, allowed) or constant_in(value.lower(), tuple(
            a.lower() if isinstance(a, str) else a for a in allowed))
    return constant_in(value, allowed)


def _value(unit: ParsedFile, node: Node) -> Any:
    """A literal's value, else the dotted name it refers to (``ssl.CERT_NONE``), else UNKNOWN."""
    value = constant(unit, node)
    if value is UNKNOWN and node.type in ("identifier", "attribute", "member_expression"):
        return unit.name(node) or UNKNOWN
    return value


def _value_holds(unit: ParsedFile, matcher: _CompiledMatcher, value: Node) -> bool:
    return not matcher.spec.value or _constant_matches(_value(unit, value), matcher.spec.value)


def _context_holds(unit: ParsedFile, matcher: _CompiledMatcher, node: Node) -> bool:
    if matcher.spec.path and not fnmatch.fnmatch(unit.path, matcher.spec.path):
        return False
    if matcher.context is None:
        return True
    return matcher.context.search(_context(unit, node)) is not None


def _context(unit: ParsedFile, node: Node) -> str:
    """The statement around ``node`` and the name of the function it is in: what the value is for."""
    statement: Node | None = node
    while statement is not None and statement.parent is not None and statement.parent.type not in (
            "block", "statement_block", "module", "program"):
        statement = statement.parent
    if statement is None or statement.type in DEFINITIONS:  # a default argument: its own line only
        parts = [unit.line_text(node.start_point[0] + 1)]
    else:
        parts = [unit.text(statement)[:400]]
    scope = node.parent
    while scope is not None:
        if scope.type in FUNCTIONS:
            name = scope.child_by_field_name("name")
            if name is not None:
                parts.append(unit.text(name))
            break
        scope = scope.parent
    return "\n".join(parts)


def _hit(unit: ParsedFile, matcher: _CompiledMatcher, node: Node, detail: str) -> Hit:
    line = node.start_point[0] + 1
    return Hit(rule=matcher.rule, line=line, column=node.start_point[1] + 1, end_line=node.end_point[0] + 1,
               end_column=node.end_point[1] + 1, detail=detail, snippet=unit.line_text(line)[:200],
               engine="pattern", bandit=matcher.spec.bandit, severity=matcher.spec.severity)
