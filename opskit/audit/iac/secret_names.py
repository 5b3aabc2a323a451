"""Whether a variable or attribute name holds a secret (``DB_PASSWORD`` yes, ``PASSWORD_FILE`` no)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SecretNames:
    """Secret-like names end in a secret word; names of paths, ids and public keys are harmless."""

    words: tuple[str, ...]
    harmless_suffixes: tuple[str, ...]
    harmless_names: frozenset[str]

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SecretNames:
        return cls(tuple(params["secret_words"]), tuple(params["harmless_suffixes"]),
                   frozenset(params["harmless_names"]))

    def __contains__(self, name: str) -> bool:
        key = re.sub(r"[-.]", "_", name.lower())
        if key in self.harmless_names or key.endswith(self.harmless_suffixes):
            return False
        return any(key == word or key.endswith(f"_{word}") for word in self.words)
