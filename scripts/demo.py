"""``make demo``: all four jobs on bundled inputs and the harness's real services.

audit and db run offline; then the harness starts Docker, a registry, Prometheus and Terraform's
provider mirror (reusing any already running), the demo service is deployed, a broken release of
it is rolled back by opskit by itself, and ``monitor check`` asks the bundled Prometheus. At the
end the demo removes its container and deploy state and stops the services it started, and only those.
Usage: python scripts/demo.py [OPSKIT]   (default: the ``opskit`` next to this Python)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.harness.services import ServiceError, ServiceUnavailable, start, stop  # noqa: E402

SERVICES = ("docker", "registry", "prometheus", "terraform")
PLAYBOOK, BROKEN = "playbooks/demo-local.yml", "playbooks/demo-local-broken.yml"
CONTAINER = "opskit-demo-staging"
DEPLOY_STATE = REPO / ".opskit" / "deploy" / "demo" / "staging"  # state_dir of the playbooks, service, env


def step(title: str, opskit: Sequence[str], args: Sequence[str], env: dict[str, str], expect: Sequence[int]) -> None:
    print(f"\n== {title}\n$ opskit {' '.join(args)}", flush=True)
    code = subprocess.run([*opskit, *args], cwd=REPO, env=env, check=False).returncode
    print(f"(exit {code})", flush=True)
    if code not in expect:
        raise SystemExit(f"demo: 'opskit {' '.join(args)}' exited {code}, expected {' or '.join(map(str, expect))}")


def main(argv: list[str]) -> int:
    opskit = argv[1:] or [str(Path(sys.executable).with_name("opskit"))]
    env = {**os.environ}
    step("audit: secrets, OWASP code issues, IaC and vulnerable deps (offline: examples/osv)", opskit,
         ["audit", "examples/sample-service", "--no-cache"], env, (0, 1))
    step("db: index suggestions from a bundled PostgreSQL log (offline, heuristic)", opskit,
         ["db", "suggest-indexes", "examples/db/postgresql.log", "--schema", "examples/db/schema.sql"], env, (0,))
    print("\n== services from the test harness (tests/harness): " + ", ".join(SERVICES), flush=True)
    started: list[str] = []
    facts: dict[str, dict[str, str]] = {}
    try:
        for name in SERVICES:
            facts[name], was_started = start(name)
            print(f"{name:<11} {'started' if was_started else 'already running'}", flush=True)
            if was_started:
                started.append(name)
        env.update(DOCKER_HOST=facts["docker"]["docker_host"], TF_IN_AUTOMATION="1",
                   TF_CLI_CONFIG_FILE=facts["terraform"]["tf_cli_config_file"])
        step("deploy v1 of the demo service (build, push, plan, apply, HTTP + Prometheus gate)", opskit,
             ["deploy", "-p", PLAYBOOK, "--env", "staging"], env, (0,))
        step("deploy a broken release: verification fails and opskit rolls back by itself (exit 1)", opskit,
             ["deploy", "-p", BROKEN, "--env", "staging"], env, (1,))
        step("deploy history", opskit, ["deploy", "history", "-p", PLAYBOOK, "--env", "staging", "-n", "3"], env, (0,))
        step("monitor check against the bundled Prometheus", opskit,
             ["monitor", "check", "--url", facts["prometheus"]["url"], "--only", "server", "--only", "checks",
              "--checks", "playbooks/demo-checks.yml"], env, (0, 1))
    except (ServiceError, ServiceUnavailable) as exc:
        print(f"demo: a service did not come up: {exc}", file=sys.stderr)
        return 1
    finally:
        if "DOCKER_HOST" in env:
            subprocess.run(["docker", "rm", "-f", CONTAINER], env=env, capture_output=True, check=False)
            # the container is gone, so its Terraform state and history go too (local-docker cannot see drift)
            shutil.rmtree(DEPLOY_STATE, ignore_errors=True)
        targets = facts.get("prometheus", {}).get("targets_dir")
        if targets:
            Path(targets, "opskit-demo.json").unlink(missing_ok=True)
        for name in reversed(started):
            stop(name)
            print(f"{name:<11} stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
