"""Benchmark: opskit deploy's own overhead over doing the same deploy by hand.

Each round deploys a fresh build of examples/deploy-service (a new VERSION build arg, so neither
side hits a fully cached build) to the local Docker engine through terraform/local-docker, twice:

  by hand  ``docker build`` (same labels) ; ``docker push`` ; ``docker inspect`` for the digest ;
           ``terraform apply -auto-approve`` with the digest as TF_VAR_image
  opskit   ``opskit deploy -p bench.yml`` (lock, hooks, build+push via the SDK, plan -out,
           show -json, apply of the saved plan, history and report) with no health checks

Both sides run as fresh processes, alternate within a round, and use their own container and
Terraform state; ``terraform init`` is done once for each side before timing. The overhead is the
median of (opskit - by hand) per round; peak RSS comes from wait4 (largest process of each side,
which includes docker and terraform). Services come from tests.harness (started if not running).

    .venv/bin/python bench/deploy_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from opskit.core.atomic import atomic_write  # noqa: E402
from tests import harness  # noqa: E402

MODULE = ROOT / "terraform" / "local-docker"
TARGET_SECONDS = 2.0


def run(cmd: list[str], env: dict[str, str], cwd: Path = ROOT) -> tuple[float, int, str]:
    """Wall time, peak RSS (bytes) and stdout of one child process; exit on failure."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, env=env, stdin=subprocess.DEVNULL)
        _pid, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{' '.join(cmd[:4])} failed: {err.read().decode(errors='replace')[-600:]}")
        return elapsed, usage.ru_maxrss * 1024, out.read().decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class ByHand:
    """The commands a person (or a plain CI script) runs for the same deploy."""

    def __init__(self, work: Path, repository: str, env: dict[str, str]) -> None:
        self.repository = repository
        self.context = work / "context"
        self.env = {**env, "TF_DATA_DIR": str(work / "hand-tf"), "TF_VAR_name": f"bench-hand-{_free_port()}"}
        self.env["TF_VAR_port"] = str(_free_port())
        run(
            ["terraform", "init", "-input=false", f"-backend-config=path={work / 'hand.tfstate'}"],
            self.env,
            cwd=MODULE,
        )

    def deploy(self, version: str, commit: str) -> tuple[float, int]:
        tag = f"{commit[:12]}-{version}"
        ref = f"{self.repository}:{tag}"
        labels = [
            f"org.opencontainers.image.revision={commit}",
            f"org.opencontainers.image.created={time.strftime('%Y-%m-%dT%H:%M:%S+00:00', time.gmtime())}",
            f"org.opencontainers.image.source={ROOT}",
            "io.opskit.deploy.service=bench",
        ]
        build = ["docker", "build", "-q", "--network", "none", "--build-arg", f"VERSION={version}", "-t", ref]
        steps = [
            [*build, *(arg for label in labels for arg in ("--label", label)), str(self.context)],
            ["docker", "push", "-q", ref],
            ["docker", "inspect", "-f", "{{index .RepoDigests 0}}", ref],
        ]
        total, peak, digest = 0.0, 0, ""
        for cmd in steps:
            seconds, rss, out = run(cmd, self.env)
            total, peak, digest = total + seconds, max(peak, rss), out.strip()
        seconds, rss, _ = run(
            ["terraform", "apply", "-auto-approve", "-input=false", "-no-color"],
            {**self.env, "TF_VAR_image": digest},
            cwd=MODULE,
        )
        return total + seconds, max(peak, rss)


class WithOpskit:
    """``opskit deploy`` of the same service, one playbook per round's version."""

    def __init__(self, work: Path, repository: str, env: dict[str, str]) -> None:
        self.work = work
        self.repository = repository
        self.env = env
        self.port = _free_port()

    def playbook(self, version: str) -> Path:
        path = self.work / f"bench-{version}.yml"
        path.write_text(
            f"""\
service: bench
image:
  repository: {self.repository}
  context: {self.work / "context"}
  tag: "{{commit}}-{version}"
  network_mode: none
  build_args: {{VERSION: {version}}}
terraform:
  dir: {MODULE}
  variables: {{name: bench-opskit-{self.port}, port: {self.port}}}
state_dir: {self.work / "opskit-state"}
"""
        )
        return path

    def deploy(self, version: str, commit: str) -> tuple[float, int]:
        cmd = [sys.executable, "-m", "opskit", "deploy", "-q", "-p", str(self.playbook(version)), "--commit", commit]
        seconds, rss, _ = run(cmd, self.env)
        return seconds, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    docker_host = harness.start("docker")[0]["docker_host"]
    registry = harness.start("registry")[0]["registry"]
    tf_config = harness.start("terraform")[0]["tf_cli_config_file"]
    env = {
        **os.environ,
        "CI": "true",
        "DOCKER_HOST": docker_host,
        "TF_CLI_CONFIG_FILE": tf_config,
        "TF_IN_AUTOMATION": "1",
    }
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    repository = f"{registry}/opskit-bench/demo"
    rows = []
    with tempfile.TemporaryDirectory(prefix="opskit-deploy-bench-") as tmp:
        work = Path(tmp)
        context = work / "context"
        shutil.copytree(ROOT / "examples" / "deploy-service", context, ignore=shutil.ignore_patterns("busybox"))
        shutil.copy2("/bin/busybox", context / "busybox")
        hand, tool = ByHand(work, repository, env), WithOpskit(work, repository, env)
        tool.deploy("warmup", commit)  # terraform init and the first build, like hand's init above
        for number in range(1, args.rounds + 1):
            stamp = f"r{number}-{int(time.time())}"
            hand_s, hand_rss = hand.deploy(f"hand-{stamp}", commit)
            tool_s, tool_rss = tool.deploy(f"opskit-{stamp}", commit)
            rows.append({"round": number, "by_hand": hand_s, "opskit": tool_s, "hand_rss": hand_rss, "rss": tool_rss})
            print(f"round {number}: by hand {hand_s:.2f}s, opskit {tool_s:.2f}s", file=sys.stderr)
        for side in ("hand", "opskit"):
            name = hand.env["TF_VAR_name"] if side == "hand" else f"bench-opskit-{tool.port}"
            subprocess.run(["docker", "rm", "-f", name], env=env, capture_output=True)

    by_hand = statistics.median(r["by_hand"] for r in rows)
    opskit = statistics.median(r["opskit"] for r in rows)
    overhead = statistics.median(r["opskit"] - r["by_hand"] for r in rows)
    hand_rss = max(r["hand_rss"] for r in rows) / 2**20
    tool_rss = max(r["rss"] for r in rows) / 2**20
    print(f"\nopskit deploy vs by hand (build + push + terraform apply), median of {args.rounds} rounds")
    print(f"{'':<10} {'seconds':>8} {'deploys/min':>12} {'peak RSS MB':>12}")
    print(f"{'by hand':<10} {by_hand:>8.2f} {60 / by_hand:>12.1f} {hand_rss:>12.1f}")
    print(f"{'opskit':<10} {opskit:>8.2f} {60 / opskit:>12.1f} {tool_rss:>12.1f}")
    verdict = "within" if overhead < TARGET_SECONDS else "OVER"
    print(f"overhead {overhead:+.2f}s ({verdict} the {TARGET_SECONDS:g}s target), ratio {opskit / by_hand:.2f}")
    result = {
        "benchmark": "deploy",
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "rounds": args.rounds,
        "by_hand": {"seconds": round(by_hand, 3), "peak_rss_mb": round(hand_rss, 1)},
        "opskit": {"seconds": round(opskit, 3), "peak_rss_mb": round(tool_rss, 1)},
        "overhead_seconds": round(overhead, 3),
        "ratio_opskit_over_by_hand": round(opskit / by_hand, 3),
        "target_overhead_seconds": TARGET_SECONDS,
        "per_round": [
            {"round": r["round"], "by_hand": round(r["by_hand"], 3), "opskit": round(r["opskit"], 3)} for r in rows
        ],
    }
    atomic_write(HERE / "results" / "deploy_bench.json", json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
