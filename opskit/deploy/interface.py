"""The deploy model: a validated playbook, the facts each step produces, and the adapters' contracts.

Everything here is plain frozen data, so the deploy flow (``engine.py``) can be tested with fake
adapters and the real Docker/Terraform/HTTP adapters stay thin and swappable.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from opskit.monitor.connection import Connection
from opskit.monitor.interface import AnyCheck, GateSettings

LineSink = Callable[[str], None]
"""Where streamed tool output goes, one line at a time (already scrubbed of secrets)."""


class Reporter(Protocol):
    """What the deploy api needs from its caller: a place for log lines, and whether to draw bars."""

    @property
    def show_progress(self) -> bool: ...

    def log(self, message: str) -> None: ...


# --- the playbook ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageSpec:
    """What to build: repository (``registry/name``), context, Dockerfile, args and tag template."""

    repository: str
    context: Path
    dockerfile: str = "Dockerfile"
    build_args: Mapping[str, str] = field(default_factory=dict)
    tag: str = "{commit}"
    network_mode: str | None = None


@dataclass(frozen=True)
class RegistrySpec:
    """Where to push and the env vars holding credentials (never the credentials themselves)."""

    username_env: str | None = None
    password_env: str | None = None


@dataclass(frozen=True)
class TerraformSpec:
    """The module to apply, its variables, and which variable receives the image digest.

    ``secret_variables`` maps a Terraform variable to the env var holding its value; such values
    only ever travel as ``TF_VAR_*`` environment variables.
    """

    directory: Path
    image_variable: str = "image"
    variables: Mapping[str, Any] = field(default_factory=dict)
    secret_variables: Mapping[str, str] = field(default_factory=dict)
    binary: str = "terraform"


@dataclass(frozen=True)
class HttpCheck:
    """An HTTP health check: ``url`` must answer ``expect_status`` within ``retries`` attempts."""

    url: str
    expect_status: int = 200
    timeout: float = 5.0
    retries: int = 10
    interval: float = 1.0


DEFAULT_GATE = GateSettings(interval=5.0, count=6, failure_limit=0, consecutive_error_limit=3, inconclusive_limit=1)


@dataclass(frozen=True)
class PrometheusGateSpec:
    """The monitor feature's gate after the HTTP checks: monitor's own connection, checks and settings."""

    connection: Connection
    checks: tuple[AnyCheck, ...]
    settings: GateSettings = DEFAULT_GATE

    @property
    def secret_env_names(self) -> tuple[str, ...]:
        names = [self.connection.token_env, self.connection.password_env if self.connection.username else None]
        return tuple(n for n in names if n)


@dataclass(frozen=True)
class RollbackPolicy:
    """Roll back by itself when verification fails; ``verify`` decides what proves the rollback."""

    automatic: bool = True
    verify: str = "http"  # "http" (HTTP checks only), "full" (also the gate) or "none"


@dataclass(frozen=True)
class Hooks:
    """Shell commands run before the build and after the deploy (whatever its outcome)."""

    pre_deploy: tuple[str, ...] = ()
    post_deploy: tuple[str, ...] = ()
    timeout: float = 300.0


@dataclass(frozen=True)
class Playbook:
    """One service in one environment, fully resolved (environment overlay applied, paths absolute)."""

    source: Path
    service: str
    env: str
    image: ImageSpec
    registry: RegistrySpec
    terraform: TerraformSpec
    http_checks: tuple[HttpCheck, ...] = ()
    gate: PrometheusGateSpec | None = None
    hooks: Hooks = Hooks()
    rollback: RollbackPolicy = RollbackPolicy()
    state_dir: Path = Path(".opskit/deploy")

    @property
    def secret_env_names(self) -> tuple[str, ...]:
        """Env vars whose values must never reach output: registry password, Terraform secrets, token."""
        names = [self.registry.password_env, *self.terraform.secret_variables.values()]
        if self.gate is not None:
            names += self.gate.secret_env_names
        return tuple(n for n in names if n)


# --- what the steps produce -------------------------------------------------------------------


@dataclass(frozen=True)
class BuiltImage:
    """A pushed image: the immutable ``repo@sha256:...`` reference every later step uses."""

    repository: str
    tag: str
    digest_ref: str
    image_id: str


@dataclass(frozen=True)
class PlanSummary:
    """What a saved Terraform plan would change, from ``terraform show -json``."""

    exit_code: int  # 0 no changes, 2 changes (as -detailed-exitcode)
    add: int = 0
    change: int = 0
    destroy: int = 0
    replace: int = 0
    resources: tuple[str, ...] = ()

    @property
    def has_changes(self) -> bool:
        return self.exit_code == 2

    def describe(self) -> str:
        counts = f"{self.add} to add, {self.change} to change, {self.destroy} to destroy"
        if self.replace:
            counts += f" ({self.replace} replaced)"
        return counts if self.has_changes else "no changes"

    def to_dict(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code,
            "add": self.add,
            "change": self.change,
            "destroy": self.destroy,
            "replace": self.replace,
            "resources": list(self.resources),
            "summary": self.describe(),
        }


@dataclass(frozen=True)
class VerificationResult:
    """One verification check: what was checked, whether it passed, and why not."""

    name: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Verification:
    """All checks of one verification round and the gate verdict (None when no gate ran)."""

    checks: tuple[VerificationResult, ...]
    gate_verdict: str | None = None

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks) and self.gate_verdict in (None, "successful")

    @property
    def failed(self) -> tuple[VerificationResult, ...]:
        return tuple(c for c in self.checks if not c.passed)


# --- adapters -------------------------------------------------------------------------------


class ImageBuilder(ABC):
    """Builds and pushes an image, streaming progress; returns the registry digest."""

    def check_ready(self) -> None:  # noqa: B027 (a builder without an engine has nothing to check)
        """Raise ServiceError when the build engine does not answer (checked before any hook runs)."""

    def pushed_image(self, spec: ImageSpec, tag: str) -> BuiltImage | None:
        """The image the registry already holds as ``repository:tag``, reused instead of a rebuild whose
        ``created`` time (and so digest) would differ; None when there is none (or no registry to ask)."""
        return None

    @abstractmethod
    def build_and_push(self, spec: ImageSpec, tag: str, labels: Mapping[str, str], log: LineSink) -> BuiltImage: ...


class Provisioner(ABC):
    """Plans and applies an infrastructure module with the image digest as a variable."""

    @abstractmethod
    def plan(self, image_ref: str, plan_file: Path, log: LineSink) -> PlanSummary: ...

    @abstractmethod
    def apply(self, plan_file: Path, log: LineSink) -> None: ...

    @abstractmethod
    def outputs(self) -> dict[str, Any]: ...


class Verifier(ABC):
    """Proves a deployed version healthy: HTTP checks, then optionally the Prometheus gate."""

    @abstractmethod
    def verify(self, with_gate: bool, log: LineSink) -> Verification: ...


# --- one run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeployOptions:
    """Per-run choices from the command line."""

    plan_only: bool = False
    image: str | None = None  # deploy this ``repo@sha256:...`` instead of building
    commit: str | None = None
    lock_timeout: float = 0.0


@dataclass(frozen=True)
class Adapters:
    """The I/O the flow needs; the CLI passes the real ones, tests may pass fakes."""

    builder: ImageBuilder
    provisioner: Provisioner
    verifier: Verifier
    git_commit: Callable[[Playbook], tuple[str, str]]  # (commit, source) of the build context
    # True when the build context has no uncommitted changes, so the image pushed for its commit is its image
    context_clean: Callable[[Playbook], bool] = lambda _playbook: False
