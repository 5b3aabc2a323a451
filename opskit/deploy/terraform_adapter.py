"""The one wrapper around python-terraform, steering clear of its traps on Terraform 1.x.

python-terraform builds the command lines (``Terraform.generate_cmd_string``); this module runs
them itself, because the library's own runner:

* writes every ``variables`` dict (even an empty one) to a ``-var-file`` in /tmp, so secret
  variables would land on disk: we never pass a dict, and every variable (the image digest,
  plain and secret ones) travels as a ``TF_VAR_<name>`` environment variable of the child only;
* passes ``-force`` to ``destroy`` (removed in 0.15): we never call its ``destroy``;
* parses ``output NAME`` wrongly: we only read ``output -json``;
* can only capture all output or pass it through unscrubbed: we stream it line by line through
  ``scrub`` so a secret never reaches the log.

Flow: ``init -input=false`` (local backend state in opskit's state dir, ``TF_DATA_DIR`` there
too), ``plan -out=FILE -detailed-exitcode`` read as 0/1/2, the summary from
``show -json FILE``, then ``apply FILE`` — exactly the saved plan. ``TF_IN_AUTOMATION=1`` always.

Terraform runs with umask 077 (plans hold secrets), is asked to stop gracefully (SIGINT) when
opskit itself is interrupted, and the working files it drops beside the module
(``errored.tfstate`` when it cannot save state) are moved into the state directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

from python_terraform import IsFlagged, Terraform

from opskit.core.atomic import atomic_write
from opskit.core.errors import InputError, ServiceError
from opskit.core.redact import scrub
from opskit.deploy.interface import LineSink, PlanSummary, Provisioner, TerraformSpec


def tf_var_value(value: Any) -> str:
    """A ``TF_VAR_*`` value: strings as they are, everything else as JSON (valid HCL for Terraform)."""
    return value if isinstance(value, str) else json.dumps(value)


class TerraformProvisioner(Provisioner):
    """Runs one Terraform module for one service+environment, with state kept beside opskit's history."""

    def __init__(self, spec: TerraformSpec, state_file: Path, data_dir: Path, binary: str | None = None) -> None:
        self.spec = spec
        self.state_file = state_file
        self.data_dir = data_dir
        self.binary = binary or spec.binary
        resolved = shutil.which(self.binary)
        if resolved is None:
            raise ServiceError(f"terraform binary {self.binary!r} not found (set --terraform-bin)")
        self.tf = Terraform(working_dir=str(spec.directory), terraform_bin_path=resolved)
        self.secrets = self._secret_values()
        self._initialized = False

    def _secret_values(self) -> dict[str, str]:
        """Values of the secret variables that are set (plan() insists on all of them)."""
        env_names = self.spec.secret_variables
        return {name: os.environ[env] for name, env in env_names.items() if env in os.environ}

    def _require_secrets(self) -> None:
        missing = [env for env in self.spec.secret_variables.values() if env not in os.environ]
        if missing:
            raise InputError(f"terraform secret variable(s): environment variable(s) {', '.join(missing)} not set")

    def _env(self, image_ref: str | None) -> dict[str, str]:
        """The child's environment: ours, automation mode, and the variables (the playbook's win)."""
        env = {**os.environ, "TF_IN_AUTOMATION": "1", "TF_INPUT": "0", "TF_DATA_DIR": str(self.data_dir)}
        variables: dict[str, Any] = {**self.spec.variables, **self.secrets}
        if image_ref is not None:
            variables[self.spec.image_variable] = image_ref
        env.update({f"TF_VAR_{name}": tf_var_value(value) for name, value in variables.items()})
        return env

    def _run(
        self,
        command: str,
        *args: str,
        log: LineSink | None,
        image_ref: str | None = None,
        ok: tuple[int, ...] = (0,),
        **options: Any,
    ) -> tuple[int, str]:
        """Run one terraform command; stream (scrubbed) lines to ``log`` or capture stdout."""
        argv = self.tf.generate_cmd_string(command, *args, no_color=IsFlagged, **options)
        where = f"terraform {command} in {self.spec.directory}"
        started = time.time()
        try:
            proc = subprocess.Popen(
                argv,
                cwd=self.spec.directory,
                env=self._env(image_ref),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT if log else subprocess.PIPE,
                text=True,
                errors="replace",
                umask=0o077,
                start_new_session=True,  # a terminal's Ctrl-C reaches opskit, which stops terraform itself
            )
        except OSError as exc:
            raise ServiceError(f"{where}: cannot run {argv[0]}: {exc.strerror or exc}") from None
        captured: list[str] = []
        try:
            assert proc.stdout is not None
            for line in proc.stdout:
                clean = scrub(line.rstrip("\n"), self.secrets.values())
                if log is not None:
                    log(clean)
                captured.append(clean)
            stderr = scrub(proc.stderr.read(), self.secrets.values()) if proc.stderr else ""
            code = proc.wait()
        except BaseException:  # SIGINT/SIGTERM: let terraform stop gracefully (it saves state and unlocks)
            _stop(proc)
            raise
        finally:
            self._collect_working_files(since=started)
        if code not in ok:
            raise ServiceError(f"{where} failed (exit {code}): {first_error(stderr.splitlines() or captured)}")
        return code, "\n".join(captured)

    def _collect_working_files(self, since: float) -> None:
        """Move what this run of Terraform wrote into the module directory (``errored.tfstate``) to the state dir."""
        stray = self.spec.directory / "errored.tfstate"
        with suppress(OSError):
            if stray.stat().st_mtime < since - 1:
                return  # older than this run: not ours to move
            target = self.state_file.with_name(f"errored-{os.getpid()}.tfstate")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(str(stray), target)
            os.chmod(target, 0o600)

    def _init_fingerprint(self) -> str:
        """What ``init`` depends on: the module's files, its lock file, the backend path and the binary."""
        digest = hashlib.sha256(f"{self.binary}\0{self.state_file}\0".encode())
        for path in sorted(self.spec.directory.glob("*.tf")) + sorted(self.spec.directory.glob(".terraform.lock.hcl")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
        return digest.hexdigest()

    def init(self, log: LineSink) -> None:
        """``init -input=false`` with local backend state in the state dir; skipped when nothing it
        depends on changed since the last one (it re-hashes every provider binary, seconds each time)."""
        marker = self.data_dir / "opskit-init.sha256"
        fingerprint = self._init_fingerprint()
        if self._initialized or (marker.exists() and marker.read_text() == fingerprint):
            self._initialized = True
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._run(
            "init",
            log=log,
            input=False,
            backend_config={"path": str(self.state_file)},
            reconfigure=IsFlagged,
        )
        atomic_write(marker, fingerprint)
        self._initialized = True

    def plan(self, image_ref: str, plan_file: Path, log: LineSink) -> PlanSummary:
        self._require_secrets()
        self.init(log)
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        code, _ = self._run(
            "plan",
            log=log,
            image_ref=image_ref,
            ok=(0, 2),
            input=False,
            out=str(plan_file),
            detailed_exitcode=IsFlagged,
        )
        _, shown = self._run("show", str(plan_file), log=None, json=IsFlagged)
        return summarize_plan(code, shown, plan_file)

    def apply(self, plan_file: Path, log: LineSink) -> None:
        """Apply exactly the saved plan (no variables: they are baked into the plan)."""
        self._run("apply", str(plan_file), log=log, input=False, auto_approve=IsFlagged)

    def outputs(self) -> dict[str, Any]:
        """Module outputs as ``{name: value}`` from ``output -json`` (sensitive values masked)."""
        if not self.state_file.exists():
            return {}
        self.init(lambda line: None)
        _, text = self._run("output", log=None, json=IsFlagged)
        try:
            data = json.loads(text or "{}")
        except ValueError:
            raise ServiceError(f"terraform output -json in {self.spec.directory}: not JSON") from None
        return {k: ("***" if v.get("sensitive") else v.get("value")) for k, v in data.items()}


def _stop(proc: subprocess.Popen[str], grace: float = 60.0) -> None:
    """Ask terraform to stop (SIGINT, as Ctrl-C would) and wait for it; kill it after ``grace`` seconds."""
    if proc.poll() is not None:
        return
    try:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=grace)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()
        proc.wait()


def first_error(lines: list[str]) -> str:
    """Terraform's first ``Error:`` title with where it points (``on main.tf line 7``), as one line.

    The full diagnostic has already been streamed to the log; this is the line for the summary.
    """
    text = [line.strip(" │╷╵\t") for line in lines]
    text = [line for line in text if line]
    start = next((i for i, line in enumerate(text) if line.startswith("Error:")), None)
    if start is None:
        return text[-1] if text else "no output"
    where = next((line for line in text[start + 1 : start + 4] if line.startswith("on ")), "")
    return f"{text[start]} ({where.rstrip(':')})" if where else text[start]


def summarize_plan(exit_code: int, show_json: str, plan_file: Path) -> PlanSummary:
    """Count planned actions per resource from ``terraform show -json PLAN``."""
    try:
        plan: Mapping[str, Any] = json.loads(show_json)
    except ValueError:
        raise ServiceError(f"terraform show -json {plan_file}: output is not JSON") from None
    add = change = destroy = replace = 0
    resources = []
    for rc in plan.get("resource_changes") or []:
        actions = list(rc.get("change", {}).get("actions", []))
        if actions in (["no-op"], ["read"]):
            continue
        resources.append(f"{rc.get('address')}: {'/'.join(actions)}")
        if "create" in actions and "delete" in actions:
            replace += 1
        add += "create" in actions
        destroy += "delete" in actions
        change += "update" in actions
    return PlanSummary(
        exit_code=exit_code,
        add=add,
        change=change,
        destroy=destroy,
        replace=replace,
        resources=tuple(resources),
    )
