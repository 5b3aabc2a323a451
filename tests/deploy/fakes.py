"""In-memory adapters for the deploy flow: a registry of built images, infrastructure that runs
one image at a time, and health that depends on which image runs."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from opskit.core.errors import ServiceError
from opskit.deploy.interface import (
    BuiltImage,
    ImageBuilder,
    ImageSpec,
    LineSink,
    PlanSummary,
    Provisioner,
    Verification,
    VerificationResult,
    Verifier,
)


class FakeBuilder(ImageBuilder):
    """'Pushes' an image whose digest is derived from its build args."""

    def __init__(self) -> None:
        self.built: list[str] = []

    def build_and_push(self, spec: ImageSpec, tag: str, labels: Mapping[str, str], log: LineSink) -> BuiltImage:
        digest = hashlib.sha256(repr(sorted(spec.build_args.items())).encode()).hexdigest()
        ref = f"{spec.repository}@sha256:{digest}"
        self.built.append(ref)
        log(f"built {ref}")
        return BuiltImage(spec.repository, tag, ref, f"sha256:{digest}")


class FakeInfra(Provisioner):
    """Runs one image; a plan file remembers which image it would run."""

    def __init__(self, fail_apply_of: str | None = None) -> None:
        self.running: str | None = None
        self.applied: list[str] = []
        self.fail_apply_of = fail_apply_of
        self._plans: dict[Path, str] = {}

    def plan(self, image_ref: str, plan_file: Path, log: LineSink) -> PlanSummary:
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        plan_file.write_text(image_ref)
        self._plans[plan_file] = image_ref
        if image_ref == self.running:
            return PlanSummary(exit_code=0)
        return PlanSummary(exit_code=2, add=1, destroy=int(self.running is not None), resources=("container",))

    def apply(self, plan_file: Path, log: LineSink) -> None:
        image = self._plans[plan_file]
        if image == self.fail_apply_of:
            raise ServiceError("terraform apply failed (exit 1): Error: boom")
        self.running = image
        self.applied.append(image)

    def outputs(self) -> dict[str, Any]:
        return {"image": self.running}


class FakeHealth(Verifier):
    """Healthy unless the running image's build args say ``HEALTHY: "false"`` (listed in ``bad``)."""

    def __init__(self, infra: FakeInfra, bad: set[str]) -> None:
        self.infra = infra
        self.bad = bad
        self.calls: list[tuple[str | None, bool]] = []

    def verify(self, with_gate: bool, log: LineSink) -> Verification:
        self.calls.append((self.infra.running, with_gate))
        healthy = self.infra.running not in self.bad
        check = VerificationResult("http http://svc/health", healthy, "answered 200" if healthy else "answered 503")
        return Verification((check,), gate_verdict=("successful" if healthy else "failed") if with_gate else None)
