"""Connection handling: bearer token, basic auth, TLS, timeouts and unreachable servers.

A small local HTTP(S) server stands in for a Prometheus behind an auth proxy, so wrong
credentials, a hanging server and a self-signed certificate can be produced on purpose.
"""

from __future__ import annotations

import base64
import json
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from opskit.core.errors import ServiceError, UsageError
from opskit.monitor.client import HttpPrometheusClient, connect
from opskit.monitor.interface import QueryError
from tests.monitor.conftest import opskit
from tests.monitor.exporter import free_port

TOKEN = "s3cr3t-token-value-0123456789"
PASSWORD = "hunter2-but-longer"
BUILDINFO = {"status": "success", "data": {"version": "2.42.0", "revision": "r", "goVersion": "go1.19"}}
VECTOR = {
    "status": "success",
    "data": {"resultType": "vector", "result": [{"metric": {"job": "api"}, "value": [1, "0.5"]}]},
}
MATRIX = {
    "status": "success",
    "data": {"resultType": "matrix", "result": [{"metric": {"job": "api"}, "values": [[1, "1"], [2, "1"]]}]},
}
FAILED = {"status": "error", "errorType": "execution", "error": "many-to-many matching not allowed"}


class AuthProxy(BaseHTTPRequestHandler):
    """Prometheus behind a proxy that wants the bearer TOKEN or basic auth admin:PASSWORD."""

    seen: list[str] = []

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: object, content_type: str = "application/json") -> None:
        payload = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        self.seen.append(auth)
        basic = "Basic " + base64.b64encode(f"admin:{PASSWORD}".encode()).decode()
        if auth not in (f"Bearer {TOKEN}", basic):
            self._send(401, "Unauthorized\n", "text/plain")
        elif self.path.startswith("/api/v1/status/buildinfo"):
            self._send(200, BUILDINFO)
        elif "query=fail" in self.path:
            self._send(422, FAILED)
        elif "query=range" in self.path:
            self._send(200, MATRIX)
        elif "query=text" in self.path:
            self._send(200, {"status": "success", "data": {"resultType": "string", "result": [1, "hello"]}})
        elif "query=odd" in self.path:
            self._send(200, {"status": "success", "data": "nothing like a result"})
        elif self.path.startswith("/api/v1/query"):
            self._send(200, VECTOR)
        else:
            self._send(200, "<html>not prometheus</html>", "text/html")


def serve(tls: ssl.SSLContext | None = None) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), AuthProxy)
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"{'https' if tls else 'http'}://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture()
def proxy() -> Iterator[str]:
    yield from serve()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@pytest.fixture()
def tls_proxy(certificate: tuple[Path, Path]) -> Iterator[str]:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    yield from serve(context)


def test_bearer_token_from_env_is_sent(proxy: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROM_TOKEN", TOKEN)
    client = connect(proxy, token_env="PROM_TOKEN")
    (sample,) = client.query("up")
    assert sample.value == 0.5 and sample.labels == {"job": "api"}
    assert AuthProxy.seen[-1] == f"Bearer {TOKEN}"


def test_token_file_and_basic_auth(proxy: str, tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n")
    assert connect(proxy, token_file=token_file).query("up")
    assert connect(proxy, basic_auth=("admin", PASSWORD)).query("up")


def test_credentials_in_the_url_become_basic_auth_and_leave_the_url(proxy: str) -> None:
    with_password = proxy.replace("http://", f"http://admin:{PASSWORD}@")
    client = connect(with_password)
    assert client.url == proxy
    assert client.query("up")
    wrong = opskit("monitor", "check", "--url", proxy.replace("http://", "http://admin:wrong-pass-123@"))
    assert wrong.returncode == 3 and "wrong-pass-123" not in wrong.stderr


def test_wrong_token_is_exit_3_and_never_shows_the_token(proxy: str) -> None:
    wrong = "wrong-token-abcdefghijklmnop"
    result = opskit("monitor", "check", "--url", proxy, "--token-env", "PROM_TOKEN", PROM_TOKEN=wrong)
    assert result.returncode == 3
    assert result.stderr.strip() == (
        f"opskit: error: {proxy}/api/v1/status/buildinfo: 401 unauthorized (check the token or basic auth credentials)"
    )
    assert wrong not in result.stdout + result.stderr


def test_wrong_password_is_exit_3(proxy: str) -> None:
    result = opskit("monitor", "check", "--url", proxy, "--username", "admin", PROMETHEUS_PASSWORD="not-the-password")
    assert result.returncode == 3 and "401 unauthorized" in result.stderr
    assert "not-the-password" not in result.stderr


def test_query_errors_carry_prometheus_error_type(proxy: str) -> None:
    client = HttpPrometheusClient(proxy, token=TOKEN)
    with pytest.raises(QueryError) as caught:
        client.query("fail")
    assert caught.value.kind == "execution" and "many-to-many" in caught.value.message


@pytest.mark.parametrize(
    ("query", "message"),
    [("range", "returns a range vector"), ("text", "returns a string, not a number")],
)
def test_results_that_are_not_numbers_are_the_query_s_fault(proxy: str, query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message) as caught:
        HttpPrometheusClient(proxy, token=TOKEN).query(query)
    assert caught.value.kind == "bad_data"


def test_not_a_prometheus(proxy: str) -> None:
    client = HttpPrometheusClient(proxy, token=TOKEN)
    with pytest.raises(ServiceError, match=r"/api/v1/targets: answer is not JSON \(is this a Prometheus\?\)"):
        client.api("targets")
    with pytest.raises(ServiceError, match=r"/api/v1/query: unexpected answer"):
        client.query("odd")


def test_unreachable_url_exits_3_with_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    result = opskit("monitor", "check", "--url", url, "--timeout", "2")
    assert result.returncode == 3
    assert result.stderr == f"opskit: error: {url}/api/v1/status/buildinfo: unreachable (connection refused)\n"


def test_an_unknown_host_is_exit_3() -> None:
    result = opskit("monitor", "check", "--url", "http://no-such-host.invalid:9090", "--timeout", "2")
    assert result.returncode == 3
    assert result.stderr.endswith("/api/v1/status/buildinfo: unreachable (host name not found)\n")


def test_a_server_that_never_answers_times_out_with_exit_3() -> None:
    with socket.socket() as silent:  # accepts connections (backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        result = opskit("monitor", "gate", "--url", url, "--timeout", "1", "--checks", "examples/monitor/checks.yml")
    assert result.returncode == 3
    assert result.stderr == f"opskit: error: {url}/api/v1/status/buildinfo: no complete answer within 1s\n"


def test_tls_is_verified_by_default(tls_proxy: str, certificate: tuple[Path, Path]) -> None:
    with pytest.raises(ServiceError, match="TLS verification failed"):
        connect(tls_proxy, basic_auth=("admin", PASSWORD))
    assert connect(tls_proxy, basic_auth=("admin", PASSWORD), ca_bundle=certificate[0]).query("up")
    assert connect(tls_proxy, basic_auth=("admin", PASSWORD), verify=False).query("up")


def test_usage_mistakes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("UNSET_TOKEN_VAR", raising=False)
    with pytest.raises(UsageError, match="UNSET_TOKEN_VAR"):
        connect("http://127.0.0.1:9", token_env="UNSET_TOKEN_VAR")
    with pytest.raises(UsageError, match="expected an http"):
        connect("127.0.0.1:9090")
    empty = tmp_path / "token"
    empty.write_text("\n")
    result = opskit("monitor", "check", "--url", "http://127.0.0.1:9", "--token-file", str(empty))
    assert result.returncode == 2 and "token file is empty" in result.stderr
    only_checks = opskit("monitor", "check", "--url", "http://127.0.0.1:9", "--only", "checks")
    assert only_checks.returncode == 2 and only_checks.stderr == "opskit: error: --only checks needs --checks FILE\n"


def test_url_and_timeout_come_from_config(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    config = tmp_path / "opskit.toml"
    config.write_text(f'[monitor.check]\nurl = "{url}"\ntimeout = 2\nonly = ["server"]\n')
    result = opskit("monitor", "check", "--config", str(config))
    assert result.returncode == 3
    assert result.stderr == f"opskit: error: {url}/api/v1/status/buildinfo: unreachable (connection refused)\n"
    config.write_text('[monitor.gate]\ncount = "many"\n')
    bad = opskit("monitor", "gate", "--config", str(config), "--checks", "examples/monitor/checks.yml")
    assert bad.returncode == 2 and "count" in bad.stderr
