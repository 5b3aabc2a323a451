"""Thin adapter over ``python-hcl2``: Terraform files as plain blocks and attributes with line numbers.

Attributes keep the parser's expression node; ``tf_eval`` gives it a value. Nothing here calls
the library's serializer, whose heredoc handling is quadratic in the length of a line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule
from hcl2.rules.literal_rules import TokenRule
from hcl2.rules.strings import StringPartRule, StringRule
from lark.exceptions import UnexpectedInput

from opskit.audit.iac.interface import Unparseable


@dataclass(frozen=True)
class Attribute:
    name: str
    expr: Any = field(compare=False, repr=False)  # the parser's expression node
    line: int
    end_line: int


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
