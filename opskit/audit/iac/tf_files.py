"""The configuration files of one Terraform module directory, read as ``terraform plan`` reads them:
``.tf`` and ``.tf.json`` files, then the override files merged over the blocks they name, and in a
root module ``terraform.tfvars``, ``*.auto.tfvars`` and their ``.json`` forms."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from opskit.audit.iac.hcl_parser import Block
from opskit.audit.iac.interface import Unparseable
from opskit.audit.iac.tf_json import parse_terraform
from opskit.audit.iac.tf_override import is_override, merge_overrides
from opskit.audit.interface import FileTree

CONFIG_SUFFIXES = (".tf", ".tf.json")
VARS_SUFFIXES = (".tfvars", ".tfvars.json")


def is_config(name: str) -> bool:
    return name.endswith(CONFIG_SUFFIXES)


def is_auto_vars(name: str) -> bool:
    """Whether Terraform loads this variables file by itself (others need ``-var-file``)."""
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith((".auto.tfvars",
                                                                                   ".auto.tfvars.json"))


@dataclass
class ModuleFiles:
    """The parsed configuration files of one directory, blocks in file order, overrides applied."""

    blocks: list[tuple[str, Block]] = field(default_factory=list)
    tfvars: list[tuple[str, Block]] = field(default_factory=list)
    size: int = 0


def read_directory(tree: FileTree, directory: str, texts: Mapping[str, str], root: bool) -> ModuleFiles:
    """``texts`` replace the tree's content of those paths (the file being scanned)."""
    files = ModuleFiles()
    listed = tree.listdir(directory)
    extra = [p for p in texts if posixpath.dirname(p) == directory and p not in listed]  # stdin, tests
    overrides: list[tuple[str, Block]] = []
    paths = sorted(_wanted(listed, root)) + sorted(_wanted(extra, root))
    stored = tree.read_many([p for p in paths if p not in texts])
    for path in paths:
        text = texts[path] if path in texts else stored[path]
        if text is None:
            continue
        files.size += len(text)
        try:
            top = parse_terraform(path, text)
        except Unparseable:
            if path in texts:
                raise
            continue  # reported when that file itself is scanned
        name = posixpath.basename(path)
        if not is_config(name):
            files.tfvars.append((path, top))
        elif is_override(name):
            overrides.extend((path, block) for block in top.blocks)
        else:
            files.blocks.extend((path, block) for block in top.blocks)
    files.blocks = merge_overrides(files.blocks, overrides)
    return files


def _wanted(paths: Iterable[str], root: bool) -> list[str]:
    return [p for p in paths if is_config(posixpath.basename(p)) or root and is_auto_vars(posixpath.basename(p))]
