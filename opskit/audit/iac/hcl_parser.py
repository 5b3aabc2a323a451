"""Thin adapter over ``python-hcl2``: Terraform files as plain blocks and attributes with line numbers.

Values come back as plain Python data: strings without quotes, numbers, booleans, lists and
dicts; references and expressions as their ``${...}`` text; heredocs as their text. The
argument of ``jsonencode(...)`` is kept as data so IAM policies written that way can be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule, BodyRule
from hcl2.rules.functions import FunctionCallRule
from hcl2.utils import SerializationOptions
from lark.exceptions import UnexpectedInput

from opskit.audit.iac.interface import Unparseable

_OPTIONS = SerializationOptions(with_comments=False, strip_string_quotes=True, preserve_heredocs=False,
                                explicit_blocks=False)


@dataclass(frozen=True)
class Attribute:
    name: str
    value: Any
    line: int
    end_line: int
    encoded: Any = None  # the argument of jsonencode(...) when the value is such a call


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

    def value(self, name: str, default: Any = None) -> Any:
        attribute = self.attributes.get(name)
        return default if attribute is None else attribute.value


def parse_hcl(text: str) -> list[Block]:
    """Top-level blocks of a ``.tf`` file (or one pseudo-block of a ``.tfvars`` file's attributes)."""
    try:
        tree = hcl2.parses(text, discard_comments=True)
        body = tree.body
        top = _block_of("", (), 1, max(1, text.count("\n")), body)
    except UnexpectedInput as exc:
        raise Unparseable(f"HCL syntax error at column {exc.column}", exc.line) from None
    except Exception as exc:  # the parser's other failures (duplicate keys, deep nesting) are input errors too
        raise Unparseable(_safe_message(exc)) from None
    return [top, *top.blocks] if top.attributes else list(top.blocks)


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
            names = [str(label.serialize(_OPTIONS)) for label in child.labels]
            blocks.append(_block_of(names[0], tuple(names[1:]), child._meta.line, child._meta.end_line,
                                    child.body))
        elif isinstance(child, AttributeRule):
            name = str(child.identifier.serialize(_OPTIONS))
            call = _jsonencode_call(child.expression)
            encoded = call.arguments.arguments[0].serialize(_OPTIONS) if call and call.arguments else None
            attributes[name] = Attribute(name, child.expression.serialize(_OPTIONS), child._meta.line,
                                         child._meta.end_line, encoded)
    return Block(block_type, labels, line, end_line, attributes, tuple(blocks))


def _jsonencode_call(node: Any) -> FunctionCallRule | None:
    if isinstance(node, FunctionCallRule):
        names = [str(i.serialize(_OPTIONS)) for i in node.identifiers]
        return node if names[-1:] == ["jsonencode"] else None
    for child in getattr(node, "children", None) or ():
        if child is not None and not isinstance(child, str):
            found = _jsonencode_call(child)
            if found is not None:
                return found
    return None
