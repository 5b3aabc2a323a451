"""The one tree-sitter adapter: parse Python and JavaScript/TypeScript, name nodes, resolve imports.

tree-sitter grammars read current syntax (PEP 695, PEP 701 f-strings, TypeScript) whatever
Python runs opskit, and parse a typical file in about a millisecond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any

from tree_sitter import Language, Node, Parser, Query, QueryCursor

SUFFIXES = {
    ".py": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript", ".tsx": "tsx",
}
FAMILY = {"python": "python", "javascript": "javascript", "typescript": "javascript", "tsx": "javascript"}


def grammar_for(path: str) -> str | None:
    """The grammar for a file name, or None when the code scanner does not read it."""
    dot = path.rfind(".")
    return SUFFIXES.get(path[dot:].lower()) if dot >= 0 else None


@cache
def _language(grammar: str) -> Language:
    if grammar == "python":
        import tree_sitter_python as module
        return Language(module.language())
    if grammar == "javascript":
        import tree_sitter_javascript as js
        return Language(js.language())
    import tree_sitter_typescript as ts
    return Language(ts.language_tsx() if grammar == "tsx" else ts.language_typescript())


@cache
def _parser(grammar: str) -> Parser:
    return Parser(_language(grammar))


# Import statements found by tree-sitter's query engine (in C), not by walking every node in Python.
_IMPORT_QUERIES = {
    "python": "(import_statement) @import (import_from_statement) @import",
    "javascript": "(import_statement) @import "
                  "(variable_declarator value: [(call_expression) (member_expression)]) @import",
}


@cache
def _import_query(grammar: str) -> Query:
    return Query(_language(grammar), _IMPORT_QUERIES[FAMILY[grammar]])


# Definitions a file's calls may run, and JS calls that register handlers, found in C.
_DEFINITION_QUERIES = {
    "python": "(function_definition) @d (class_definition) @d (assignment left: (identifier) right: (lambda)) @d",
    "javascript": "(function_declaration) @d (generator_function_declaration) @d (method_definition) @d "
                  "(class_declaration) @d (variable_declarator) @d (assignment_expression) @d (call_expression) @d",
}


@cache
def _definition_query(grammar: str) -> Query:
    return Query(_language(grammar), _DEFINITION_QUERIES[FAMILY[grammar]])


def definitions(unit: ParsedFile) -> list[Node]:
    """Function and class definitions, declarators, assignments and (JS) calls, last in the file first."""
    nodes = QueryCursor(_definition_query(unit.grammar)).captures(unit.root).get("d", [])
    return sorted(nodes, key=lambda n: n.start_byte, reverse=True)


def _import_nodes(grammar: str, root: Node) -> list[Node]:
    nodes = QueryCursor(_import_query(grammar)).captures(root).get("import", [])
    return sorted(nodes, key=lambda n: n.start_byte)


MAX_NAME_PARTS = 64  # a longer dotted chain names nothing a rule knows: it has no name (bounded work)


@dataclass(frozen=True)
class ParsedFile:
    """A parsed source file with its import aliases (local name -> dotted module path)."""

    path: str
    language: str  # "python" or "javascript" (TypeScript is analysed as JavaScript)
    source: bytes
    root: Node
    aliases: dict[str, str] = field(default_factory=dict, hash=False)
    grammar: str = ""  # the tree-sitter grammar: "python", "javascript", "typescript" or "tsx"

    def text(self, node: Node) -> str:
        return self.source[node.start_byte:node.end_byte].decode("utf-8", "replace")

    def line_text(self, line: int) -> str:
        lines = self.lines
        return lines[line - 1].decode("utf-8", "replace").strip() if 0 < line <= len(lines) else ""

    @cached_property
    def lines(self) -> list[bytes]:
        return self.source.splitlines()

    def name(self, node: Node | None) -> str | None:
        """The dotted, import-resolved name of an expression (``res.status(200).send`` -> ``res.status.send``)."""
        raw = self.raw_name(node)
        if raw is None:
            return None
        head, dot, rest = raw.partition(".")
        base, bracket, key = head.partition("[")
        resolved = self.aliases.get(base)
        if resolved is None:
            return raw
        return resolved + bracket + key + dot + rest

    def raw_name(self, node: Node | None) -> str | None:
        """The dotted name as written (``a.b[c].d``); iterative, so a chain of any length is one pass."""
        suffix: list[str] = []
        for _ in range(MAX_NAME_PARTS):
            if node is None:
                return None
            kind = node.type
            if kind in ("identifier", "property_identifier", "this", "self", "shorthand_property_identifier"):
                return self.text(node) + "".join(reversed(suffix))
            if kind in ("attribute", "member_expression"):
                prop = node.child_by_field_name("attribute" if kind == "attribute" else "property")
                if prop is None:
                    return None
                suffix.append(f".{self.text(prop)}")
                node = node.child_by_field_name("object")
            elif kind in ("call", "call_expression"):
                module = _required_module(self, node)  # require('child_process').exec
                if module is not None:
                    return module + "".join(reversed(suffix))
                node = node.child_by_field_name("function")
            elif kind in ("subscript", "subscript_expression"):
                key = string_value(self, node.child_by_field_name("subscript" if kind == "subscript" else "index"))
                suffix.append(f"[{key if key is not None else '*'}]")
                node = node.child_by_field_name("value" if kind == "subscript" else "object")
            elif kind in ("parenthesized_expression", "await", "await_expression", "non_null_expression"):
                inner = node.named_children
                node = inner[0] if inner else None
            else:
                return None
        return None  # a chain too long to be a name a rule knows


def _required_module(unit: ParsedFile, call: Node) -> str | None:
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier" or unit.text(function) != "require":
        return None
    arguments = call.child_by_field_name("arguments")
    return _module(unit, arguments.named_children[0]) if arguments is not None and arguments.named_children else None


def string_value(unit: ParsedFile, node: Node | None) -> str | None:
    """The value of a plain string literal (no interpolation), else None."""
    if node is None or node.type != "string":
        return None
    parts = []
    for child in node.named_children:
        if child.type in ("interpolation", "template_substitution"):
            return None
        if child.type in ("string_content", "string_fragment", "escape_sequence"):
            parts.append(unit.text(child))
    return "".join(parts)


MAX_INDENT_LEVELS = 400  # tree-sitter-python 0.25 crashes (SIGSEGV) past about 510 nested indents
_DEEP_INDENT = re.compile(rb"^[ \t]{%d}" % MAX_INDENT_LEVELS, re.MULTILINE)


class Unparseable(ValueError):
    """A file the parser must not be given; the message says why, in one line."""


def indent_levels(source: bytes) -> int:
    """How deeply the lines of Python source are indented (the tokenizer's indent stack)."""
    stack = [0]
    deepest = 0
    for line in source.splitlines():
        stripped = line.lstrip(b" \t")
        if not stripped or stripped.startswith(b"#"):
            continue
        width = len(line) - len(stripped)
        while width < stack[-1]:
            stack.pop()
        if width > stack[-1]:
            stack.append(width)
            deepest = max(deepest, len(stack) - 1)
    return deepest


def parse(path: str, text: str) -> ParsedFile | None:
    """Parse ``text`` by the file's suffix; None for languages the code scanner does not read.

    Raises ``Unparseable`` for Python indented so deeply that the grammar would crash the process."""
    grammar = grammar_for(path)
    if grammar is None:
        return None
    source = text.encode("utf-8", "surrogateescape")
    if grammar == "python" and _DEEP_INDENT.search(source) and indent_levels(source) > MAX_INDENT_LEVELS:
        raise Unparseable(f"{path}: indented more than {MAX_INDENT_LEVELS} levels deep; not parsed")
    tree = _parser(grammar).parse(source)
    unit = ParsedFile(path=path, language=FAMILY[grammar], source=source, root=tree.root_node, grammar=grammar)
    imports = _import_nodes(grammar, unit.root)
    unit.aliases.update(_python_imports(unit, imports) if unit.language == "python" else _js_imports(unit, imports))
    return unit


def _python_imports(unit: ParsedFile, imports: list[Node]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in imports:
        if node.type == "import_statement":
            for item in node.named_children:
                if item.type == "aliased_import":
                    aliases[unit.text(item.child_by_field_name("alias"))] = unit.text(  # type: ignore[arg-type]
                        item.child_by_field_name("name"))  # type: ignore[arg-type]
        elif node.type == "import_from_statement":
            module_node = node.child_by_field_name("module_name")
            module = unit.text(module_node).lstrip(".") if module_node is not None else ""
            for item in node.children_by_field_name("name"):
                if item.type == "aliased_import":
                    name = unit.text(item.child_by_field_name("name"))  # type: ignore[arg-type]
                    local = unit.text(item.child_by_field_name("alias"))  # type: ignore[arg-type]
                else:
                    name = local = unit.text(item)
                aliases[local] = f"{module}.{name}" if module else name
    return aliases


def _module(unit: ParsedFile, node: Node | None) -> str | None:
    value = string_value(unit, node)
    return value.removeprefix("node:") if value is not None else None


def _js_imports(unit: ParsedFile, imports: list[Node]) -> dict[str, str]:
    aliases: dict[str, str] = {}
    for node in imports:
        if node.type == "import_statement":
            module = _module(unit, node.child_by_field_name("source"))
            if module is None:
                continue
            for clause in node.named_children:
                if clause.type != "import_clause":
                    continue
                for part in clause.named_children:
                    if part.type == "identifier":
                        aliases[unit.text(part)] = module
                    elif part.type == "namespace_import":
                        aliases[unit.text(part.named_children[-1])] = module
                    elif part.type == "named_imports":
                        for spec in part.named_children:
                            name = spec.child_by_field_name("name")
                            alias = spec.child_by_field_name("alias") or name
                            if name is not None and alias is not None:
                                aliases[unit.text(alias)] = f"{module}.{unit.text(name)}"
        elif node.type == "variable_declarator":
            _js_require(unit, node, aliases)
    return aliases


def _js_require(unit: ParsedFile, node: Node, aliases: dict[str, str]) -> None:
    """``const x = require('m')``, ``const {a, b: c} = require('m')``, ``const y = require('m').y``."""
    value = node.child_by_field_name("value")
    suffix = ""
    if value is not None and value.type == "member_expression":
        prop = value.child_by_field_name("property")
        suffix = f".{unit.text(prop)}" if prop is not None else ""
        value = value.child_by_field_name("object")
    if value is None or value.type != "call_expression":
        return
    func = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    if func is None or unit.text(func) != "require" or args is None or not args.named_children:
        return
    module = _module(unit, args.named_children[0])
    target = node.child_by_field_name("name")
    if module is None or target is None:
        return
    if target.type == "identifier":
        aliases[unit.text(target)] = module + suffix
    elif target.type == "object_pattern":
        for part in target.named_children:
            if part.type == "shorthand_property_identifier_pattern":
                aliases[unit.text(part)] = f"{module}{suffix}.{unit.text(part)}"
            elif part.type == "pair_pattern":
                key, local = part.child_by_field_name("key"), part.child_by_field_name("value")
                if key is not None and local is not None:
                    aliases[unit.text(local)] = f"{module}{suffix}.{unit.text(key)}"


MAX_LITERAL_DEPTH = 32  # nested literals deeper than this are not folded (bounded recursion)


def constant(unit: ParsedFile, node: Node | None, depth: int = 0) -> Any:
    """A literal's Python value (str, int, float, bool, None, tuple of those), or ``UNKNOWN``."""
    if node is None or depth > MAX_LITERAL_DEPTH:
        return UNKNOWN
    kind = node.type
    if kind == "string":
        value = string_value(unit, node)
        return UNKNOWN if value is None else value
    if kind in ("true", "false"):
        return kind == "true"
    if kind in ("none", "null", "undefined"):
        return None
    if kind in ("integer", "number", "float"):
        try:
            return int(unit.text(node), 0)
        except ValueError:
            try:
                return float(unit.text(node))
            except ValueError:
                return UNKNOWN
    if kind in ("list", "tuple", "array", "set"):
        items = tuple(constant(unit, child, depth + 1) for child in node.named_children if child.type != "comment")
        return UNKNOWN if any(item is UNKNOWN for item in items) else items
    if kind in ("parenthesized_expression",) and node.named_children:
        return constant(unit, node.named_children[0], depth + 1)
    if kind == "concatenated_string":
        parts = [constant(unit, child, depth + 1) for child in node.named_children]
        return "".join(parts) if all(isinstance(p, str) for p in parts) else UNKNOWN
    return UNKNOWN


class _Unknown:
    """The value of an expression that is not a compile-time constant."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()
