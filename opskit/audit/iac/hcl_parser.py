"""Thin adapter over ``python-hcl2``: Terraform files as plain blocks and attributes with line numbers.

Attributes keep the parser's expression node; ``tf_eval`` gives it a value, with the text helpers
here (escapes, heredoc bodies, and the ``${...}`` templates of Terraform's JSON syntax). Nothing here calls
the library's serializer, whose heredoc handling is quadratic in the length of a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule
from hcl2.rules.literal_rules import TokenRule
from hcl2.rules.strings import HeredocTemplateRule, HeredocTrimTemplateRule, StringPartRule, StringRule
from lark.exceptions import UnexpectedInput

from opskit.audit.iac.interface import Unparseable


@dataclass(frozen=True)
class Attribute:
    name: str
    expr: Any = field(compare=False, repr=False)  # the parser's expression node
    line: int
    end_line: int
    origin: str = ""  # "override.tf:3" when an override file set it (``line`` is then the original block's)


@dataclass(frozen=True)
class Block:
    """``type "label" "label" { ... }``: e.g. ``resource "aws_s3_bucket" "logs"``."""

    type: str
    labels: tuple[str, ...]
    line: int
    end_line: int
    attributes: dict[str, Attribute] = field(default_factory=dict, hash=False)
    blocks: tuple[Block, ...] = ()

    def children(self, block_type: str) -> list[Block]:
        return [b for b in self.blocks if b.type == block_type]


def parse_hcl(text: str) -> Block:
    """A file's body as one pseudo-block: top-level attributes (``.tfvars``) and blocks (``.tf``)."""
    try:
        tree = hcl2.parses(text, discard_comments=True)
        return _block_of("", (), 1, max(1, text.count("\n")), tree.body)
    except UnexpectedInput as exc:
        raise Unparseable(f"HCL syntax error at column {exc.column}", exc.line) from None
    except Exception as exc:  # the parser's other failures (duplicate keys, deep nesting) are input errors too
        raise Unparseable(_safe_message(exc)) from None


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}


def unescape(text: str) -> str:
    """A quoted string's literal text: backslash escapes, and ``$${``/``%%{`` for ``${``/``%{``."""
    if "\\" not in text and "$${" not in text and "%%{" not in text:
        return text
    out: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "\\" and i + 1 < len(text):
            out.append(_ESCAPES.get(text[i + 1], text[i:i + 2]))
            i += 2
        elif text.startswith(("$${", "%%{"), i):
            out.append(text[i + 1:i + 3])
            i += 3
        else:
            out.append(char)
            i += 1
    return "".join(out)


def heredoc_text(node: HeredocTemplateRule | HeredocTrimTemplateRule) -> str:
    """The body between the marker lines, as written (an interpolation stays as its ``${...}`` text);
    ``<<-`` removes the common indentation. Linear in the text."""
    raw = str(node.heredoc.value).rstrip("\r\n")
    first, _, rest = raw.partition("\n")
    body_lines = rest.split("\n")[:-1]  # the last line holds the closing marker
    if first.startswith("<<-"):
        indents = [len(line) - len(line.lstrip(" \t")) for line in body_lines if line.strip()]
        cut = min(indents, default=0)
        body_lines = [line[cut:] for line in body_lines]
    return "\n".join(line.rstrip("\r") for line in body_lines)


def template_parts(text: str) -> tuple[Any, ...]:
    """A string of Terraform's JSON syntax as the template it is: literal text and the expression
    node of each ``${...}``; None for a ``%{...}`` directive or an expression that does not parse.
    One pass over the text (each expression is parsed once, and the parses are cached)."""
    parts: list[Any] = []
    literal: list[str] = []
    i = 0
    while i < len(text):
        opener = text.find("{", i)
        if opener < 0:
            literal.append(text[i:])
            break
        sign = text[opener - 1] if opener > i else ""
        if sign not in ("$", "%"):
            literal.append(text[i:opener + 1])
            i = opener + 1
            continue
        if opener - 2 >= i and text[opener - 2] == sign:  # $${ and %%{ stand for the text ${ and %{
            literal.append(text[i:opener - 1] + "{")
            i = opener + 1
            continue
        literal.append(text[i:opener - 1])
        end = _closing_brace(text, opener + 1)
        if literal:
            parts.append("".join(literal))
            literal = []
        parts.append(_expression(text[opener + 1:end].strip()) if sign == "$" and end < len(text) else None)
        i = end + 1
    if literal:
        parts.append("".join(literal))
    return tuple(p for p in parts if p != "")


def _closing_brace(text: str, start: int) -> int:
    """The index of the ``}`` that closes an interpolation opened before ``start`` (skipping braces
    and quotes inside quoted strings), or len(text) when none does."""
    depth, quoted, i = 0, False, start
    while i < len(text):
        char = text[i]
        if quoted:
            if char == "\\":
                i += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return len(text)


@lru_cache(maxsize=4096)
def _expression(source: str) -> Any:
    try:
        body = hcl2.parses(f"x = {source}\n", discard_comments=True).body
    except Exception:  # an expression the HCL parser refuses is Unknown, as a value of the file
        return None
    attributes = [child for child in body.children if isinstance(child, AttributeRule)]
    return attributes[0].expression if len(attributes) == 1 else None


def static_text(node: Any) -> str:
    """The text of an identifier or a plain quoted string (a label, an object key)."""
    if isinstance(node, TokenRule):
        return str(node.token.value)
    if isinstance(node, StringRule):
        return "".join(str(part.content.value) for part in node.string_parts
                       if isinstance(part, StringPartRule) and not hasattr(part.content, "expression"))
    return str(getattr(node, "value", ""))


def _safe_message(exc: Exception) -> str:
    """The parser's message unless it quotes the input (which may hold a secret); else the error type."""
    lines = str(exc).strip().splitlines()
    if lines and not any(quote in lines[0] for quote in "'\"`"):
        return lines[0]
    return f"{type(exc).__name__} in the HCL parser"


def _block_of(block_type: str, labels: tuple[str, ...], line: int, end_line: int, body: BodyRule) -> Block:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for child in body.children:
        if isinstance(child, BlockRule):
            names = [static_text(label) for label in child.labels]
            blocks.append(_block_of(names[0], tuple(names[1:]), child._meta.line, child._meta.end_line,
                                    child.body))
        elif isinstance(child, AttributeRule):
            name = static_text(child.identifier)
            attributes[name] = Attribute(name, child.expression, child._meta.line, child._meta.end_line)
    return Block(block_type, labels, line, end_line, attributes, tuple(blocks))
