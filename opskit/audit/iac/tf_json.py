"""Terraform's JSON configuration syntax (``*.tf.json``, ``*.tfvars.json``) as the same blocks and
attributes the HCL files give, so one evaluator and every check serve both.

A block type's labels are nested object keys (``resource`` → type → name → body), and at every
level an array of objects stands for repeated blocks. ``"//"`` keys are comments. Without the
providers' schemas a property whose value is an object (or an array of objects) inside a resource,
data or provider body cannot be told from a nested block, so it is both: an attribute for checks
that read a map (``tags``, ``environment.variables``) and nested blocks for those that read blocks.
Strings are templates (``"${aws_s3_bucket.logs.id}"``), evaluated by ``tf_eval``.
"""

from __future__ import annotations

from collections.abc import Mapping

from opskit.audit.iac.hcl_parser import Attribute, Block, parse_hcl
from opskit.audit.iac.interface import Unparseable
from opskit.audit.iac.json_located import JsonNode, parse_json

LABELS: Mapping[str, int] = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1,
                             "locals": 0, "terraform": 0}
WITH_NESTED_BLOCKS = frozenset({"resource", "data", "provider", "terraform"})
COMMENT = "//"


def parse_terraform(path: str, text: str) -> Block:
    """A ``.tf``, ``.tfvars``, ``.tf.json`` or ``.tfvars.json`` file's body as one pseudo-block."""
    if not path.endswith(".json"):
        return parse_hcl(text)
    root = parse_json(text)
    if not root.is_object:
        raise Unparseable("a Terraform JSON file must hold one JSON object", root.line)
    if path.endswith(".tfvars.json"):
        return _body("", (), root, root.line, nested=False)
    blocks: list[Block] = []
    for member in root.members:
        if member.key in LABELS:
            blocks.extend(_blocks(member.key, LABELS[member.key], member.value, (), member.line,
                                  member.key in WITH_NESTED_BLOCKS))
    return Block("", (), 1, root.end_line, {}, tuple(blocks))


def _blocks(block_type: str, labels_left: int, node: JsonNode, labels: tuple[str, ...], line: int,
            nested: bool) -> list[Block]:
    """The blocks one property stands for: its remaining labels as keys, arrays as repetition."""
    found: list[Block] = []
    for item in node.value if node.is_array else [node]:
        if not item.is_object:
            raise Unparseable(f"{' '.join((block_type, *labels))}: expected a JSON object", item.line)
        where = item.line if node.is_array else line
        if labels_left == 0:
            found.append(_body(block_type, labels, item, where, nested))
            continue
        for member in item.members:
            if member.key != COMMENT:
                found.extend(_blocks(block_type, labels_left - 1, member.value, (*labels, member.key),
                                     member.line, nested))
    return found


def _body(block_type: str, labels: tuple[str, ...], node: JsonNode, line: int, nested: bool) -> Block:
    attributes: dict[str, Attribute] = {}
    blocks: list[Block] = []
    for member in node.members:
        value = member.value
        if member.key == COMMENT:
            continue
        if nested and member.key == "dynamic":
            blocks.extend(_blocks("dynamic", 1, value, (), member.line, nested))
            continue
        attributes[member.key] = Attribute(member.key, value, member.line, value.end_line)
        if nested and _block_shaped(value):
            blocks.extend(_blocks(member.key, 0, value, (), member.line, nested))
    return Block(block_type, labels, line, node.end_line, attributes, tuple(blocks))


def _block_shaped(node: JsonNode) -> bool:
    return node.is_object or (node.is_array and bool(node.value) and all(item.is_object for item in node.value))
