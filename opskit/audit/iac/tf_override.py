"""Terraform's override files (``override.tf``, ``*_override.tf`` and their ``.tf.json`` forms),
merged over the blocks they name as Terraform does, instead of being checked as blocks of their own.

An argument of the override block replaces the original's; its nested blocks of a type (static or
``dynamic``) replace all the original's blocks of that type; each local value replaces the local of
that name. What an override sets keeps the original block's line, so a finding points at the block
in its own file, and records where it was written (``override.tf:4``) for the message. An override
without an original is an error to Terraform and is left out.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from opskit.audit.iac.hcl_parser import Block
from opskit.audit.iac.tf_eval import constant

OVERRIDE_NAMES = ("override.tf", "override.tf.json")
OVERRIDE_SUFFIXES = ("_override.tf", "_override.tf.json")


def is_override(name: str) -> bool:
    return name in OVERRIDE_NAMES or name.endswith(OVERRIDE_SUFFIXES)


def merge_overrides(blocks: Sequence[tuple[str, Block]],
                    overrides: Sequence[tuple[str, Block]]) -> list[tuple[str, Block]]:
    """``blocks`` with each override block (in file order) merged into the block it names."""
    merged = list(blocks)
    where = {_key(block): index for index, (_, block) in enumerate(merged) if block.type != "locals"}
    for override_path, override in overrides:
        if override.type == "locals":
            merged.extend(_locals_over(merged, override_path, override))
            continue
        index = where.get(_key(override))
        if index is not None:
            path, original = merged[index]
            merged[index] = (path, _merged(original, _relocated(override, original.line, override_path)))
    return merged


def _key(block: Block) -> tuple[object, ...]:
    alias = block.attributes.get("alias") if block.type == "provider" else None
    return (block.type, *block.labels, None if alias is None else constant(alias.expr))


def _merged(original: Block, override: Block) -> Block:
    kinds = {_kind(b) for b in override.blocks}
    return dataclasses.replace(original, attributes={**original.attributes, **override.attributes},
                               blocks=(*(b for b in original.blocks if _kind(b) not in kinds), *override.blocks))


def _kind(block: Block) -> str:
    """The nested block type a block makes: ``dynamic "ingress"`` makes ``ingress`` blocks."""
    return block.labels[0] if block.type == "dynamic" and block.labels else block.type


def _locals_over(merged: Sequence[tuple[str, Block]], path: str, override: Block) -> list[tuple[str, Block]]:
    """Each local of an override, placed after the originals so it wins (local names are unique)."""
    defined = {name for _, b in merged if b.type == "locals" for name in b.attributes}
    kept = {n: a for n, a in override.attributes.items() if n in defined}
    return [(path, dataclasses.replace(override, attributes=kept))] if kept else []


def _relocated(block: Block, line: int, path: str, origin: str = "") -> Block:
    """``block`` with every line moved to ``line`` and where each argument was written recorded: its own
    line at the top level, the line of the nested block it sits in below."""
    attributes = {name: dataclasses.replace(a, line=line, end_line=line, origin=origin or f"{path}:{a.line}")
                  for name, a in block.attributes.items()}
    return dataclasses.replace(block, line=line, end_line=line, attributes=attributes,
                               blocks=tuple(_relocated(b, line, path, origin or f"{path}:{b.line}")
                                            for b in block.blocks))
