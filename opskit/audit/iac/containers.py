"""What Kubernetes pods and compose services are judged by alike: dangerous capabilities, container
runtime sockets, secret-looking literals in the environment. One policy, read from kubernetes.yaml."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from opskit.audit.iac.catalog import load_rules
from opskit.audit.iac.secret_names import SecretNames

_URL = re.compile(r"^[a-z][\w+.-]*://", re.IGNORECASE)
_URL_PASSWORD = re.compile(r"^[a-z][\w+.-]*://[^/@\s]*:[^/@\s]+@", re.IGNORECASE)
_REFERENCE = re.compile(r"\$\{[^}]*\}|\$\([^)]*\)|\{\{.*?\}\}|^\$\w+$")  # ${VAR}, $(VAR), {{ .Values.x }}


@dataclass(frozen=True)
class ContainerPolicy:
    dangerous_capabilities: frozenset[str]
    sockets: tuple[str, ...]  # file names of container runtime sockets: docker.sock, containerd.sock
    secret_names: SecretNames
    placeholders: tuple[re.Pattern[str], ...]

    @classmethod
    def from_rules(cls, rules: Mapping[str, Any]) -> ContainerPolicy:
        """The policy from the Kubernetes rules' params (compose reads the same ones)."""
        secrets = rules["iac.k8s-secret-in-env"].params
        return cls(
            dangerous_capabilities=frozenset(rules["iac.k8s-dangerous-capabilities"].params["capabilities"]),
            sockets=tuple(rules["iac.k8s-runtime-socket"].params["sockets"]),
            secret_names=SecretNames.from_params(secrets),
            placeholders=tuple(re.compile(p) for p in secrets["placeholder_patterns"]),
        )

    @classmethod
    def shared(cls) -> ContainerPolicy:
        return cls.from_rules(load_rules("kubernetes"))

    def is_dangerous(self, capability: object) -> bool:
        return isinstance(capability, str) and capability.upper().removeprefix("CAP_") in self.dangerous_capabilities

    def is_socket(self, path: object) -> bool:
        return isinstance(path, str) and path.rstrip("/").rsplit("/", 1)[-1] in self.sockets

    def literal_secret(self, name: object, value: object) -> str | None:
        """The value when ``name`` looks secret and ``value`` is a literal (not a reference or placeholder)."""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not isinstance(name, str):
            return None
        text = str(value).strip()
        if not text or name not in self.secret_names or _REFERENCE.search(text):
            return None
        if _URL.match(text) and not _URL_PASSWORD.match(text) and "webhook" not in name.lower():
            return None  # a database URL without a password in it: postgres://app@db/app
        return None if any(p.search(text) for p in self.placeholders) else text
