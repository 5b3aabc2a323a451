"""A Prometheus of the test's own, on a free loopback port: killed by the test (the shared one never is),
optionally behind TLS with a private CA and basic auth (``--web.config.file``)."""

from __future__ import annotations

import base64
import shutil
import ssl
import subprocess
import time
import urllib.error
import urllib.request
import warnings
from dataclasses import dataclass
from pathlib import Path

from tests.deploy.conftest import free_port

PROMETHEUS = "/usr/bin/prometheus"


@dataclass(frozen=True)
class Tls:
    """A private CA and a server certificate for 127.0.0.1 signed by it."""

    ca: Path
    cert: Path
    key: Path


def make_private_ca(directory: Path) -> Tls:
    """openssl: a CA nobody trusts but us, and a server certificate it signed (SAN IP:127.0.0.1)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    cert, key, csr = directory / "server.pem", directory / "server.key", directory / "server.csr"
    ext = directory / "ext"
    ext.write_text("subjectAltName=IP:127.0.0.1\n")
    for argv in (
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=opskit test CA",
         "-keyout", str(ca_key), "-out", str(ca)],
        ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(csr)],
        ["x509", "-req", "-in", str(csr), "-CA", str(ca), "-CAkey", str(ca_key), "-CAcreateserial", "-days", "1",
         "-extfile", str(ext), "-out", str(cert)],
    ):  # fmt: skip
        subprocess.run(["openssl", *argv], check=True, capture_output=True)
    return Tls(ca=ca, cert=cert, key=key)


def bcrypt_hash(password: str) -> str:
    """What Prometheus' web config wants for basic auth users (libxcrypt's bcrypt via the stdlib)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import crypt

        return crypt.crypt(password, crypt.mksalt(crypt.METHOD_BLOWFISH))


class OwnPrometheus:
    """``prometheus`` on 127.0.0.1:<free port> with an empty scrape config (queries such as ``vector(0)`` work)."""

    def __init__(self, directory: Path, tls: Tls | None = None, users: dict[str, str] | None = None) -> None:
        if shutil.which(PROMETHEUS) is None:
            raise RuntimeError(f"{PROMETHEUS} not installed")
        directory.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.tls = tls
        self.users = users or {}
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        config = directory / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n")
        argv = [
            PROMETHEUS,
            f"--config.file={config}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            f"--storage.tsdb.path={directory / 'data'}",
        ]
        if tls or users:
            web = directory / "web.yml"
            lines = []
            if tls:
                lines += ["tls_server_config:", f"  cert_file: {tls.cert}", f"  key_file: {tls.key}"]
            if users:
                lines += ["basic_auth_users:"] + [f"  {user}: {bcrypt_hash(pw)}" for user, pw in users.items()]
            web.write_text("\n".join(lines) + "\n")
            argv.append(f"--web.config.file={web}")
        self.log = directory / "prometheus.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 90.0) -> None:
        context = ssl.create_default_context(cafile=str(self.tls.ca)) if self.tls else None
        request = urllib.request.Request(f"{self.url}/-/ready")
        if self.users:
            user, password = next(iter(self.users.items()))
            request.add_header("Authorization", "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"prometheus exited: {self.log.read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(request, timeout=2, context=context) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.3)
        self.kill()
        raise RuntimeError(f"prometheus on {self.url} not ready within {timeout:g}s: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL and reap: the server dies as a crashed one would."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
