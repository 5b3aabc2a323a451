"""Config from ``opskit.toml`` or ``[tool.opskit]`` in ``pyproject.toml``; flags always win.

Layout: top-level keys are defaults for every command (``format``, ``fail-on``, ``no-color``);
a table per command path holds that command's options by their long flag name, for example
``[tool.opskit.audit]`` or ``[tool.opskit.db.suggest-indexes]``.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
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

    def section(self, command_path: tuple[str, ...]) -> dict[str, Any]:
        """Options for one command: global defaults overlaid with the command's own table."""
        merged = {k: v for k, v in self.table.items() if not isinstance(v, dict)}
        node: Any = self.table
        for name in command_path:
            node = node.get(name, {}) if isinstance(node, dict) else {}
            if not isinstance(node, dict):
                raise ConfigError(f"{self.source}: [tool.opskit.{'.'.join(command_path)}] must be a table")
        merged.update({k: v for k, v in node.items() if not isinstance(v, dict)})
        return merged


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


def discover_config(start: Path) -> Config:
    """Find the nearest ``opskit.toml`` or ``pyproject.toml`` with ``[tool.opskit]`` at or above ``start``."""
    here = start.resolve()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        candidate = directory / "opskit.toml"
        if candidate.is_file():
            return load_config(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "opskit" in _read_toml(pyproject).get("tool", {}):
            return load_config(pyproject)
        if (directory / ".git").exists():
            break
    return Config()
