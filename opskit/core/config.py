"""Config from ``opskit.toml`` or ``[tool.opskit]`` in ``pyproject.toml``; flags always win.

Layout: top-level keys are defaults for every command (``format``, ``fail-on``, ``no-color``);
a table per command path holds that command's options by their long flag name, for example
``[tool.opskit.audit]`` or ``[tool.opskit.db.suggest-indexes]``. A group's table
(``[tool.opskit.deploy]``) holds defaults for every command in the group; deeper tables win.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from opskit.core.errors import ConfigError

GLOBAL_KEYS = frozenset({"format", "fail-on", "no-color"})


@dataclass(frozen=True)
class Config:
    """A loaded config file: where it came from and its ``tool.opskit`` table."""

    source: Path | None = None
    table: Mapping[str, Any] = field(default_factory=dict)

    def table_name(self, command_path: tuple[str, ...]) -> str:
        """How the user wrote a command's table: ``[tool.opskit.deploy]`` or ``[deploy]``."""
        prefix = ("tool", "opskit") if self.source is not None and self.source.name == "pyproject.toml" else ()
        return f"[{'.'.join((*prefix, *command_path)) or 'top level'}]"

    def section(self, command_path: tuple[str, ...]) -> dict[str, Any]:
        """Options for one command: global defaults, then each group's table on its path, then its own."""
        merged = {k: v for k, v in self.table.items() if not isinstance(v, dict)}
        node: Any = self.table
        for depth, name in enumerate(command_path, 1):
            node = node.get(name, {})
            if not isinstance(node, dict):
                raise ConfigError(f"{self.source}: {self.table_name(command_path[:depth])} must be a table")
            merged.update({k: v for k, v in node.items() if not isinstance(v, dict)})
        return merged

    def check_keys(self, known: Callable[[tuple[str, ...]], tuple[frozenset[str], frozenset[str]] | None]) -> None:
        """Every table must name a command and every key an option of it (or of a command in its group).

        ``known(path)`` gives the option names in the subtree of the command at ``path`` and the
        names of its subcommands, or None when there is no such command.
        """

        def walk(node: Mapping[str, Any], path: tuple[str, ...], options: frozenset[str], tables: frozenset[str]
                 ) -> None:
            for key, value in node.items():
                if isinstance(value, dict):
                    child = known((*path, key)) if key in tables else None
                    if child is None:
                        raise ConfigError(f"{self.source}: unknown table {self.table_name((*path, key))} "
                                          f"(no command 'opskit {' '.join((*path, key))}')")
                    walk(value, (*path, key), *child)
                elif key.replace("_", "-") not in options:
                    where = self.table_name(path)
                    raise ConfigError(f"{self.source}: unknown key {key!r} in {where}")

        root = known(())
        if root is not None:
            walk(self.table, (), GLOBAL_KEYS, root[1])


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def load_config(path: Path) -> Config:
    """Load an explicit ``--config`` file: an ``opskit.toml`` or a ``pyproject.toml``."""
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    data = _read_toml(path)
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("opskit", {})
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: [tool.opskit] must be a table")
    return Config(source=path, table=data)


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # ENAMETOOLONG and the like: not a config file we can read
        return False


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:
        return False


def discover_config(start: Path) -> Config:
    """Find the nearest ``opskit.toml`` or ``pyproject.toml`` with ``[tool.opskit]`` at or above ``start``."""
    here = start.resolve()
    if _is_file(here) or not _is_dir(here):  # a path the OS refuses (too long): the command's read says so
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "opskit.toml"
        if _is_file(candidate):
            return load_config(candidate)
        pyproject = directory / "pyproject.toml"
        if _is_file(pyproject) and "opskit" in _read_toml(pyproject).get("tool", {}):
            return load_config(pyproject)
        if _is_dir(directory / ".git") or _is_file(directory / ".git"):
            break
    return Config()
