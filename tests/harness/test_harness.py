"""The harness's services do the real thing: each test talks to a live server."""

from __future__ import annotations

import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import psycopg
import pytest

from tests import harness

REPO = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, timeout: float = 20.0) -> bytes:
    """GET ``url``, retrying while the server is still starting."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return bytes(resp.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_cli_status_lists_every_service() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tests.harness", "status"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert [line.split()[0] for line in out.splitlines()] == list(harness.SERVICES)


def test_services_fixture_is_what_services_json_records(services: dict[str, dict[str, str]]) -> None:
    recorded = json.loads((harness.services_dir() / "services.json").read_text())
    assert services == {name: recorded[name] for name in harness.SERVICES}
    assert services["postgres"]["dsn"] == "postgresql://postgres:opskit-test-pw@127.0.0.1:55432/opskit"
    assert services["docker"]["docker_host"] == f"unix://{harness.services_dir() / 'docker.sock'}"


@pytest.mark.postgres
def test_postgres_password_auth(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn) as conn:
        version = conn.execute("SHOW server_version").fetchone()
        assert version is not None and version[0].startswith("15.")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(pg_dsn.replace("opskit-test-pw", "wrong")).close()


@pytest.mark.postgres
def test_hypopg_hypothetical_index_is_used_by_the_planner(pg_dsn: str) -> None:
    table = f"harness_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
        conn.execute(f"CREATE TABLE {table} (id int, email text)")
        try:
            conn.execute(f"INSERT INTO {table} SELECT i, 'u' || i || '@example.com' FROM generate_series(1, 20000) i")
            conn.execute(f"ANALYZE {table}")
            row = conn.execute(
                "SELECT indexname FROM hypopg_create_index(%s)", (f"CREATE INDEX ON {table} (email)",)
            ).fetchone()
            assert row is not None and "btree" in row[0]
            plan = "\n".join(
                r[0] for r in conn.execute(f"EXPLAIN SELECT * FROM {table} WHERE email = 'u42@example.com'")
            )
            assert row[0] in plan, plan
        finally:
            conn.execute("SELECT hypopg_reset()")
            conn.execute(f"DROP TABLE {table}")


@pytest.mark.postgres
def test_pg_stat_statements_is_preloaded(pg_dsn: str) -> None:
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        conn.execute("SELECT 4242 AS harness_marker")
        queries = [r[0] for r in conn.execute("SELECT query FROM pg_stat_statements")]
    assert any("harness_marker" in q for q in queries)


@pytest.mark.prometheus
def test_prometheus_is_ready(prometheus: harness.Prometheus) -> None:
    assert b"Ready" in _get(f"{prometheus.url}/-/ready")


@pytest.fixture
def metrics_server() -> Iterator[str]:
    """A tiny exporter on loopback serving one gauge in the text format; yields host:port."""

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = b"# TYPE opskit_harness_gauge gauge\nopskit_harness_gauge 42\n"
            self.send_response(200 if self.path == "/metrics" else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.mark.prometheus
def test_file_sd_target_is_scraped_under_its_own_job(prometheus: harness.Prometheus, metrics_server: str) -> None:
    job = f"harness-{uuid.uuid4().hex[:8]}"
    target_file = prometheus.targets_dir / f"{job}.json"
    tmp = target_file.with_suffix(".tmp")  # written whole, then renamed: Prometheus never sees half a file
    tmp.write_text(json.dumps([{"targets": [metrics_server], "labels": {"job": job, "env": "test"}}]))
    tmp.rename(target_file)
    try:
        targets = prometheus.wait_for_job(job)
        assert targets[0]["labels"]["env"] == "test"
        result = prometheus.api("query", query=f'opskit_harness_gauge{{job="{job}"}}')["result"]
        assert result and result[0]["value"][1] == "42"
    finally:
        target_file.unlink()


@pytest.mark.prometheus
def test_rule_file_is_loaded_after_reload(prometheus: harness.Prometheus) -> None:
    name = f"opskit_harness_rule_{uuid.uuid4().hex[:8]}"
    rule_file = prometheus.rules_dir / f"{name}.yml"
    rule_file.write_text(f"groups:\n  - name: {name}\n    rules:\n      - record: {name}\n        expr: vector(7)\n")
    try:
        prometheus.reload()
        groups = prometheus.api("rules")["groups"]
        assert name in [g["name"] for g in groups]
    finally:
        rule_file.unlink()
        prometheus.reload()


@pytest.fixture
def busybox_image(docker_host: str, tmp_path: Path) -> Iterator[str]:
    """A fresh FROM-scratch busybox image in its own repository (tag ``v1``), removed afterwards."""
    env = {**os.environ, "DOCKER_HOST": docker_host}
    tag = f"opskit-harness/busybox-{uuid.uuid4().hex[:8]}:v1"
    harness.build_busybox_image(docker_host, tag, tmp_path / "image")
    inspect = ["docker", "image", "inspect", "-f", "{{.Id}}", tag]
    image_id = subprocess.run(inspect, env=env, check=True, capture_output=True, text=True).stdout.strip()
    yield tag
    # -f: also drop the registry tags a test added to the same image.
    subprocess.run(["docker", "rmi", "-f", image_id], env=env, check=True, capture_output=True)


@pytest.mark.docker
def test_scratch_busybox_container_serves_http(
    docker_host: str, container_network: str, busybox_image: str, tmp_path: Path
) -> None:
    env = {**os.environ, "DOCKER_HOST": docker_host}
    www = tmp_path / "www"
    www.mkdir()
    (www / "index.html").write_text("hello from a scratch container\n")
    port = _free_port()
    name = f"opskit-harness-{uuid.uuid4().hex[:8]}"
    if container_network == "host":
        net = ["--network", "host"]
        listen = f"127.0.0.1:{port}"
    else:
        net = ["-p", f"127.0.0.1:{port}:8080"]
        listen = "8080"
    httpd = ["httpd", "-f", "-h", "/www", "-p", listen]
    run = ["docker", "run", "-d", "--name", name, *net, "-v", f"{www}:/www:ro", busybox_image, *httpd]
    subprocess.run(run, env=env, check=True, capture_output=True)
    try:
        assert _get(f"http://127.0.0.1:{port}/index.html") == b"hello from a scratch container\n"
    finally:
        subprocess.run(["docker", "rm", "-f", name], env=env, check=True, capture_output=True)


@pytest.mark.docker
def test_image_pushes_to_local_registry(docker_host: str, registry: str, busybox_image: str) -> None:
    env = {**os.environ, "DOCKER_HOST": docker_host}
    remote = f"{registry}/{busybox_image}"
    subprocess.run(["docker", "tag", busybox_image, remote], env=env, check=True, capture_output=True)
    subprocess.run(["docker", "push", remote], env=env, check=True, capture_output=True)
    repo, version = busybox_image.split(":")
    tags = json.loads(_get(f"http://{registry}/v2/{repo}/tags/list"))
    assert tags == {"name": repo, "tags": [version]}


@pytest.mark.terraform
def test_terraform_inits_aws_from_mirror_and_applies_local_exec(terraform_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text("""\
terraform {
  required_providers {
    aws = { source = "hashicorp/aws" }
  }
}

resource "terraform_data" "hello" {
  input = "opskit"
  provisioner "local-exec" {
    command = "echo applied-${self.input} > ${path.module}/applied.txt"
  }
}

output "hello" {
  value = terraform_data.hello.output
}
""")
    env = {**os.environ, **terraform_env}
    tf = terraform_env["TERRAFORM_BIN"]

    def terraform(*args: str) -> str:
        return subprocess.run([tf, *args], cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout

    terraform("init", "-input=false")
    assert 'provider "registry.terraform.io/hashicorp/aws"' in (tmp_path / ".terraform.lock.hcl").read_text()
    terraform("apply", "-input=false", "-auto-approve")
    assert (tmp_path / "applied.txt").read_text() == "applied-opskit\n"
    assert terraform("output", "-raw", "hello") == "opskit"


@pytest.mark.aws
def test_moto_serves_s3(aws_endpoint: str) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=aws_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    bucket = f"opskit-harness-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"v"
