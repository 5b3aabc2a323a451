"""Start, stop and describe the real services that opskit's tests talk to.

Everything runs on loopback, in one private directory
(``$OPSKIT_SERVICES_DIR``, default ``/tmp/opskit-services``), from Debian
packages that are installed here when missing: CI runs on a fresh machine
with no stdin, so nothing may depend on a hand-made setup.

Standard library only: this module must work before any ``pip install``.

Each service is one row of ``SERVICES``: the Debian packages it needs, a
``start`` that brings it up (called only when it does not answer yet), an
``answers`` probe, a ``stop``, the paths ``down`` removes, and the
connection ``facts`` written to ``services.json``.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Facts = dict[str, str]
Process = subprocess.Popen[bytes]

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 55432
PG_PASSWORD = "opskit-test-pw"
PG_DATABASE = "opskit"
PROMETHEUS_ADDR = "127.0.0.1:59090"
ALERTMANAGER_ADDR = "127.0.0.1:59093"
REGISTRY_ADDR = "127.0.0.1:55000"
MOTO_ADDR = "127.0.0.1:55500"
MARIADB_PORT = 55306
TERRAFORM_MIRROR = Path("/opt/tf-plugins")

# What a Docker engine can do in this sandbox (a VM, as root, cgroup
# v1, kernel 6.18), found by trying:
# * vfs is the storage driver that needs no kernel support (no overlay mount
#   inside the VM is assumed); it is slow on big images but ours are tiny.
# * Docker's default bridge network did work here too (docker0, NAT rules and
#   `-p 127.0.0.1:PORT:PORT` port publishing), but it rewrites the host's
#   iptables (FORWARD policy DROP, MASQUERADE), turns on ip_forward and puts
#   containers on 172.17.0.0/16.  We start dockerd with --bridge=none
#   --iptables=false --ip6tables=false --ip-forward=false so the host's
#   network is left untouched; containers must then run with
#   `--network host`, listening on 127.0.0.1 themselves.
# * No image can be pulled from anywhere: images are built FROM scratch (see
#   build_busybox_image) and pushed to the local registry.
CONTAINER_NETWORK = "host"


class ServiceError(RuntimeError):
    """A service could not be installed or did not come up."""


class ServiceUnavailable(ServiceError):
    """A prerequisite that this machine cannot provide is missing."""


def services_dir() -> Path:
    """The private directory holding every service's data, logs and sockets."""
    return Path(os.environ.get("OPSKIT_SERVICES_DIR", "/tmp/opskit-services"))


# --- small process and network helpers ------------------------------------


def _run(
    cmd: list[str], env: dict[str, str] | None = None, new_session: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run a command to completion; raise ServiceError with its output if it fails."""
    try:
        proc = subprocess.run(
            cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, env=env, start_new_session=new_session
        )
    except FileNotFoundError as exc:
        raise ServiceUnavailable(f"{cmd[0]} not found") from exc
    if proc.returncode != 0:
        raise ServiceError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}{proc.stderr}")
    return proc


def _spawn(cmd: list[str], log: Path, pidfile: Path | None) -> Process:
    """Start a long-running process detached from us, output to ``log``.

    Its own session means ``up`` can return (and pytest can exit) while it
    keeps running; ``pidfile`` is how ``down`` finds it again. Each start
    gets a fresh log.
    """
    with log.open("wb") as out:
        try:
            proc = subprocess.Popen(
                cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        except FileNotFoundError as exc:
            raise ServiceUnavailable(f"{cmd[0]} not found") from exc
    if pidfile is not None:
        pidfile.write_text(f"{proc.pid}\n")
    return proc


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie counts as gone: our own exited child, or an orphan this sandbox's init has not reaped.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[1][0] != "Z"
    except (OSError, IndexError):
        return False


def _pidfile_alive(pidfile: Path) -> bool:
    """True if ``pidfile`` names a live process: the service on the port is ours, from this dir."""
    try:
        return _pid_alive(int(pidfile.read_text().split()[0]))
    except (OSError, ValueError, IndexError):
        return False


def _kill_pidfile(pidfile: Path, expect: str, timeout: float = 30.0) -> None:
    """Stop the process named in ``pidfile``: SIGTERM, then SIGKILL after ``timeout``.

    ``expect`` must appear in its command line, so a pid reused by some other
    process after a crash is never killed.
    """
    try:
        pid = int(pidfile.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except (OSError, ValueError, IndexError):
        pidfile.unlink(missing_ok=True)
        return
    if expect in cmdline:
        with contextlib.suppress(ProcessLookupError):  # it may exit on its own meanwhile
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + timeout
            while _pid_alive(pid) and time.monotonic() < deadline:
                time.sleep(0.2)
            if _pid_alive(pid):
                os.kill(pid, signal.SIGKILL)
    pidfile.unlink(missing_ok=True)


def _http_ok(url: str, timeout: float = 2.0) -> bool:
    """True if ``url`` answers 2xx."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:
            return 200 <= int(resp.status) < 300
    except (urllib.error.URLError, OSError):
        return False


class _UnixHTTPConnection(http.client.HTTPConnection):
    """HTTP over a unix socket, to talk to dockerd without the docker CLI."""

    def __init__(self, path: str, timeout: float) -> None:
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


def _unix_http_ok(path: Path, url: str, timeout: float = 2.0) -> bool:
    try:
        conn = _UnixHTTPConnection(str(path), timeout)
        try:
            conn.request("GET", url)
            return conn.getresponse().status == 200
        finally:
            conn.close()
    except OSError:
        return False


def _wait(name: str, answers: Callable[[], bool], proc: Process | None, log: Path, timeout: float) -> None:
    """Poll ``answers`` until true; fail naming the service and its log.

    Fails at once if the process we spawned (``proc``) has already exited.
    """
    deadline = time.monotonic() + timeout
    problem = f"did not answer within {timeout:.0f}s"
    while time.monotonic() < deadline:
        if answers():
            return
        if proc is not None and proc.poll() is not None:
            problem = f"exited with code {proc.returncode}"
            break
        time.sleep(0.3)
    tail = log.read_text(errors="replace").splitlines()[-10:] if log.exists() else []
    raise ServiceError(f"{name} {problem}; see its log {log}" + "".join(f"\n  | {line}" for line in tail))


def _ensure_port_free(addr: str) -> None:
    """Refuse to start when something else (e.g. another services dir) holds our fixed port."""
    host, port = addr.rsplit(":", 1)
    with socket.socket() as sock:
        if sock.connect_ex((host, int(port))) == 0:
            raise ServiceError(f"{addr} is already in use by a process this services dir did not start")


def _unmount_under(root: Path) -> None:
    """Unmount whatever dockerd left mounted below ``root`` (e.g. netns files), so rmtree works."""
    prefix = str(root.resolve()) + "/"
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()]
    for mountpoint in reversed(mounts):
        if mountpoint.startswith(prefix):
            subprocess.run(["umount", "-l", mountpoint], check=False)


# --- Debian packages -------------------------------------------------------


def _missing_packages(packages: Iterable[str]) -> list[str]:
    """Packages that dpkg does not list as fully installed."""
    missing = []
    for pkg in packages:
        proc = subprocess.run(
            ["dpkg-query", "-W", "-f=${db:Status-Status}", pkg], capture_output=True, text=True, check=False
        )
        if proc.returncode != 0 or proc.stdout.strip() != "installed":
            missing.append(pkg)
    return missing


def ensure_packages(packages: Iterable[str]) -> None:
    """Install missing Debian packages; ``apt-get update`` runs only if something is missing."""
    missing = _missing_packages(packages)
    if not missing:
        return
    if os.geteuid() != 0:
        raise ServiceUnavailable(f"Debian packages missing and not root to install them: {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    print(f"installing Debian packages: {' '.join(missing)}", file=sys.stderr)
    _run(["apt-get", "update", "-q"], env=env)
    _run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing], env=env)


# --- PostgreSQL 15 + HypoPG -----------------------------------------------


def _as_postgres(cmd: list[str]) -> list[str]:
    """Run as user postgres when we are root: initdb and postgres refuse to run as root."""
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _chown_postgres(*paths: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        for path in paths:
            os.chown(path, user.pw_uid, user.pw_gid)


def _pg_init(root: Path) -> None:
    """A fresh private cluster: scram password auth on 127.0.0.1, trust on its own socket."""
    shutil.rmtree(root, ignore_errors=True)
    (root / "sock").mkdir(parents=True)
    pwfile = root / "pwfile"
    pwfile.write_text(PG_PASSWORD + "\n")
    _chown_postgres(root, root / "sock", pwfile)
    _run(
        _as_postgres(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(root / "data"),
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                f"--pwfile={pwfile}",
            ]
        )
    )
    pwfile.unlink()
    settings = {
        "port": str(PG_PORT),
        "listen_addresses": "'127.0.0.1'",
        "unix_socket_directories": f"'{root / 'sock'}'",
        "shared_preload_libraries": "'pg_stat_statements'",
        # Test data is disposable: trade durability for speed.
        "fsync": "off",
        "synchronous_commit": "off",
        "full_page_writes": "off",
    }
    with (root / "data" / "postgresql.conf").open("a") as conf:
        conf.write("\n# opskit test harness\n" + "".join(f"{k} = {v}\n" for k, v in settings.items()))


def _pg_start(d: Path) -> Process | None:
    _ensure_port_free(f"127.0.0.1:{PG_PORT}")
    root = d / "postgres"
    if not (root / "data" / "PG_VERSION").exists():
        _pg_init(root)
    log = d / "postgres.log"
    log.touch()
    _chown_postgres(log)
    # pg_ctl -w returns once the server accepts connections; the postmaster
    # stays in the new session.
    _run(
        _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(root / "data"), "-l", str(log), "-w", "-t", "60", "start"]),
        new_session=True,
    )
    psql = _as_postgres([str(PG_BIN / "psql"), "-h", str(root / "sock"), "-p", str(PG_PORT), "-U", "postgres", "-tA"])
    exists = _run([*psql, "-c", f"SELECT 1 FROM pg_database WHERE datname = '{PG_DATABASE}'"]).stdout.strip()
    if not exists:
        _run([*psql, "-c", f"CREATE DATABASE {PG_DATABASE}"])
    return None  # pg_ctl daemonised the postmaster: nothing of ours to watch


def _pg_answers(d: Path) -> bool:
    if not (d / "postgres" / "data" / "postmaster.pid").exists():
        return False  # not our cluster, whatever may listen on the port
    cmd = [str(PG_BIN / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(PG_PORT), "-d", PG_DATABASE]
    return subprocess.run(cmd, check=False).returncode == 0


def _pg_stop(d: Path) -> None:
    data = d / "postgres" / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            check=False,
        )


def _pg_facts(d: Path) -> Facts:
    return {
        "dsn": f"postgresql://postgres:{PG_PASSWORD}@127.0.0.1:{PG_PORT}/{PG_DATABASE}",
        "host": "127.0.0.1",
        "port": str(PG_PORT),
        "user": "postgres",
        "password": PG_PASSWORD,
        "database": PG_DATABASE,
        "socket_dir": str(d / "postgres" / "sock"),
    }


# --- Prometheus ----------------------------------------------------------


def _prometheus_config(d: Path) -> str:
    """1s scrapes; rule files and file_sd targets are globs that tests drop files into.

    In file_sd target files a ``job`` label overrides the job_name below.
    """
    conf = d / "prometheus"
    return f"""\
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files:
  - {json.dumps(str(conf / "rules" / "*.yml"))}
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: [{json.dumps(PROMETHEUS_ADDR)}]
  - job_name: file_sd
    file_sd_configs:
      - files: [{json.dumps(str(conf / "targets" / "*.json"))}]
        refresh_interval: 1s
"""


def _prometheus_start(d: Path) -> Process:
    _ensure_port_free(PROMETHEUS_ADDR)
    conf = d / "prometheus"
    for sub in ("rules", "targets"):
        (conf / sub).mkdir(parents=True, exist_ok=True)
    (conf / "prometheus.yml").write_text(_prometheus_config(d))
    return spawn_prometheus(conf / "prometheus.yml", d / "prom-data", PROMETHEUS_ADDR, d / "prometheus.log",
                            d / "prometheus.pid")


def spawn_prometheus(config: Path, data: Path, addr: str, log: Path, pidfile: Path | None) -> Process:
    """Start a Prometheus with the lifecycle API; tests that need their own server call this too."""
    return _spawn(
        [
            "/usr/bin/prometheus",
            f"--web.listen-address={addr}",
            f"--storage.tsdb.path={data}",
            "--web.enable-lifecycle",
            f"--config.file={config}",
        ],
        log,
        pidfile,
    )


def _prometheus_answers(d: Path) -> bool:
    return _pidfile_alive(d / "prometheus.pid") and _http_ok(f"http://{PROMETHEUS_ADDR}/-/ready")


def _prometheus_stop(d: Path) -> None:
    _kill_pidfile(d / "prometheus.pid", "prometheus")


def _prometheus_facts(d: Path) -> Facts:
    conf = d / "prometheus"
    return {
        "url": f"http://{PROMETHEUS_ADDR}",
        "config_dir": str(conf),
        "config_file": str(conf / "prometheus.yml"),
        "rules_dir": str(conf / "rules"),
        "targets_dir": str(conf / "targets"),
    }


def reload_prometheus(url: str) -> None:
    """Make Prometheus re-read its config and rule files (needs --web.enable-lifecycle)."""
    req = urllib.request.Request(f"{url}/-/reload", method="POST")
    with urllib.request.urlopen(req, timeout=10) as resp:
        if resp.status != 200:
            raise ServiceError(f"prometheus reload answered {resp.status}")


@dataclass(frozen=True)
class Prometheus:
    """A running Prometheus scraping every 1s; tests drop files into ``targets_dir`` / ``rules_dir``."""

    url: str
    config_dir: Path
    rules_dir: Path
    targets_dir: Path

    def reload(self) -> None:
        """Re-read config and rule files (new rule files need this; file_sd targets don't)."""
        reload_prometheus(self.url)

    def api(self, path: str, **params: str) -> Any:
        """GET ``/api/v1/<path>`` and return its ``data``."""
        query = f"?{urllib.parse.urlencode(params)}" if params else ""
        with urllib.request.urlopen(f"{self.url}/api/v1/{path}{query}", timeout=10) as resp:
            body = json.load(resp)
        if body["status"] != "success":
            raise ServiceError(f"prometheus {path}: {body}")
        return body["data"]

    def wait_for_job(self, job: str, timeout: float = 30.0) -> list[dict[str, Any]]:
        """Wait until every active target of ``job`` has been scraped successfully; return them."""
        deadline = time.monotonic() + timeout
        targets: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            active = self.api("targets", state="active")["activeTargets"]
            targets = [t for t in active if t["labels"].get("job") == job]
            if targets and all(t["health"] == "up" for t in targets):
                return targets
            time.sleep(0.5)
        raise TimeoutError(f"job {job!r} not scraped within {timeout}s; its targets: {targets}")


# --- Alertmanager ------------------------------------------------------------

ALERTMANAGER_CONFIG = """\
route:
  receiver: default
  group_wait: 1s
  group_interval: 1s
receivers:
  - name: default
"""


def spawn_alertmanager(config: Path, data: Path, addr: str, log: Path, pidfile: Path | None) -> Process:
    """Start a standalone Alertmanager (no cluster); tests that need their own call this too."""
    data.mkdir(parents=True, exist_ok=True)
    return _spawn(
        [
            "/usr/bin/prometheus-alertmanager",
            f"--config.file={config}",
            f"--storage.path={data}",
            f"--web.listen-address={addr}",
            "--cluster.listen-address=",
        ],
        log,
        pidfile,
    )


def _alertmanager_start(d: Path) -> Process:
    _ensure_port_free(ALERTMANAGER_ADDR)
    (d / "alertmanager.yml").write_text(ALERTMANAGER_CONFIG)
    return spawn_alertmanager(d / "alertmanager.yml", d / "alertmanager", ALERTMANAGER_ADDR,
                              d / "alertmanager.log", d / "alertmanager.pid")


def _alertmanager_answers(d: Path) -> bool:
    return _pidfile_alive(d / "alertmanager.pid") and _http_ok(f"http://{ALERTMANAGER_ADDR}/-/ready")


def _alertmanager_stop(d: Path) -> None:
    _kill_pidfile(d / "alertmanager.pid", "alertmanager")


def _alertmanager_facts(d: Path) -> Facts:
    return {"url": f"http://{ALERTMANAGER_ADDR}", "config_file": str(d / "alertmanager.yml")}


# --- Docker engine -----------------------------------------------------------


def _docker_start(d: Path) -> Process:
    root = d / "docker"
    root.mkdir(exist_ok=True)
    # dockerd writes its own pidfile (and refuses to start if it names a live process).
    return _spawn(
        [
            "/usr/sbin/dockerd",
            "--storage-driver=vfs",
            f"--data-root={root / 'data'}",
            f"--exec-root={root / 'exec'}",
            f"--pidfile={root / 'docker.pid'}",
            f"--host=unix://{d / 'docker.sock'}",
            "--bridge=none",
            "--iptables=false",
            "--ip6tables=false",
            "--ip-forward=false",
        ],
        d / "docker.log",
        None,
    )


def _docker_answers(d: Path) -> bool:
    return _unix_http_ok(d / "docker.sock", "/_ping")


def _docker_stop(d: Path) -> None:
    # dockerd stops its containers and its containerd on SIGTERM.
    _kill_pidfile(d / "docker" / "docker.pid", "dockerd", timeout=60)
    if (d / "docker").exists():
        _unmount_under(d / "docker")


def _docker_facts(d: Path) -> Facts:
    return {
        "docker_host": f"unix://{d / 'docker.sock'}",
        "container_network": CONTAINER_NETWORK,
        "data_root": str(d / "docker" / "data"),
    }


def build_busybox_image(docker_host: str, tag: str, workdir: Path) -> str:
    """Build ``tag`` FROM scratch holding Debian's static busybox as entrypoint.

    No registry can be pulled from here, so this is how tests get an image.
    """
    busybox = Path("/bin/busybox")
    ensure_packages(["busybox-static"])
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy2(busybox, workdir / "busybox")
    (workdir / "Dockerfile").write_text('FROM scratch\nCOPY busybox /bin/busybox\nENTRYPOINT ["/bin/busybox"]\n')
    _run(["docker", "build", "-q", "-t", tag, str(workdir)], env={**os.environ, "DOCKER_HOST": docker_host})
    return tag


# --- Local Docker registry -------------------------------------------------


def _registry_start(d: Path) -> Process:
    _ensure_port_free(REGISTRY_ADDR)
    root = d / "registry"
    (root / "data").mkdir(parents=True, exist_ok=True)
    config = root / "config.yml"
    config.write_text(f"""\
version: 0.1
log:
  level: info
storage:
  filesystem:
    rootdirectory: {json.dumps(str(root / "data"))}
  delete:
    enabled: true
http:
  addr: {REGISTRY_ADDR}
""")
    return _spawn(["/usr/bin/docker-registry", "serve", str(config)], d / "registry.log", d / "registry.pid")


def _registry_answers(d: Path) -> bool:
    return _pidfile_alive(d / "registry.pid") and _http_ok(f"http://{REGISTRY_ADDR}/v2/")


def _registry_stop(d: Path) -> None:
    _kill_pidfile(d / "registry.pid", "docker-registry")


def _registry_facts(d: Path) -> Facts:
    # Docker allows plain HTTP to 127.0.0.0/8 registries without --insecure-registry.
    return {"registry": REGISTRY_ADDR, "url": f"http://{REGISTRY_ADDR}"}


# --- moto (AWS emulator) -----------------------------------------------------


def _moto_server() -> str | None:
    """moto_server from the running Python's environment, else from PATH."""
    beside = Path(sys.executable).parent / "moto_server"
    return str(beside) if beside.exists() else shutil.which("moto_server")


def _moto_start(d: Path) -> Process:
    exe = _moto_server()
    if exe is None:
        raise ServiceUnavailable(
            "moto_server not found next to the running Python nor on PATH (pip install 'moto[server]')"
        )
    _ensure_port_free(MOTO_ADDR)
    host, port = MOTO_ADDR.split(":")
    return _spawn([exe, "-H", host, "-p", port], d / "moto.log", d / "moto.pid")


def _moto_answers(d: Path) -> bool:
    return _pidfile_alive(d / "moto.pid") and _http_ok(f"http://{MOTO_ADDR}/moto-api/")


def _moto_stop(d: Path) -> None:
    _kill_pidfile(d / "moto.pid", "moto_server")


def _moto_facts(d: Path) -> Facts:
    return {
        "aws_endpoint": f"http://{MOTO_ADDR}",
        "region": "us-east-1",
        "access_key_id": "testing",
        "secret_access_key": "testing",
    }


# --- Terraform (a CLI config, no process) ----------------------------------


def _terraform_bin() -> str | None:
    return shutil.which("terraform") or (
        "/usr/local/bin/terraform" if Path("/usr/local/bin/terraform").exists() else None
    )


def _terraform_start(d: Path) -> Process | None:
    """Point Terraform at the local provider mirror: no provider can be downloaded here."""
    if _terraform_bin() is None:
        raise ServiceUnavailable("terraform is not installed (expected /usr/local/bin/terraform)")
    if not TERRAFORM_MIRROR.is_dir():
        raise ServiceUnavailable(f"terraform provider mirror {TERRAFORM_MIRROR} is missing")
    (d / "terraformrc").write_text(f"""\
provider_installation {{
  filesystem_mirror {{
    path    = "{TERRAFORM_MIRROR}"
    include = ["registry.terraform.io/hashicorp/*"]
  }}
  direct {{
    exclude = ["registry.terraform.io/hashicorp/*"]
  }}
}}
""")
    return None  # nothing runs


def _terraform_answers(d: Path) -> bool:
    return (d / "terraformrc").exists() and _terraform_bin() is not None


def _terraform_stop(d: Path) -> None:
    """Nothing runs; down just removes the CLI config."""


def _terraform_facts(d: Path) -> Facts:
    return {"terraform_bin": _terraform_bin() or "", "tf_cli_config_file": str(d / "terraformrc")}


# --- MariaDB (for the MySQL dialect of db suggest-indexes) --------------------


def _mariadb_start(d: Path) -> Process:
    """A private server on 127.0.0.1 only; user opskit with a password, database opskit."""
    _ensure_port_free(f"127.0.0.1:{MARIADB_PORT}")
    root = d / "mariadb"
    if not (root / "data" / "mysql").exists():
        shutil.rmtree(root, ignore_errors=True)
        (root / "data").mkdir(parents=True)
        shutil.chown(root / "data", "mysql", "mysql")
        _run(["mariadb-install-db", "--no-defaults", f"--datadir={root / 'data'}", "--user=mysql", "--skip-test-db"])
    sock = root / "mariadb.sock"
    shutil.chown(root, "mysql", "mysql")
    return _spawn(
        ["mariadbd", "--no-defaults", f"--datadir={root / 'data'}", f"--socket={sock}", f"--port={MARIADB_PORT}",
         "--bind-address=127.0.0.1", "--user=mysql", "--skip-log-bin", "--innodb-buffer-pool-size=32M",
         f"--pid-file={root / 'mariadb.pid'}", f"--init-file={_mariadb_init(root)}"],
        d / "mariadb.log", d / "mariadb.pid",
    )  # fmt: skip


def _mariadb_init(root: Path) -> Path:
    init = root / "init.sql"
    init.write_text(
        "CREATE DATABASE IF NOT EXISTS opskit;\n"
        f"CREATE USER IF NOT EXISTS 'opskit'@'127.0.0.1' IDENTIFIED BY '{PG_PASSWORD}';\n"
        "GRANT ALL ON *.* TO 'opskit'@'127.0.0.1';\n"
    )
    shutil.chown(init, "mysql", "mysql")
    return init


def _mariadb_answers(d: Path) -> bool:
    if not _pidfile_alive(d / "mariadb.pid"):
        return False
    cmd = ["mariadb-admin", "--no-defaults", "-h", "127.0.0.1", "-P", str(MARIADB_PORT), "-u", "opskit",
           f"-p{PG_PASSWORD}", "--connect-timeout=2", "ping"]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, check=False).returncode == 0


def _mariadb_facts(d: Path) -> Facts:
    return {"host": "127.0.0.1", "port": str(MARIADB_PORT), "user": "opskit", "password": PG_PASSWORD,
            "database": "opskit"}  # fmt: skip


# --- the table, and up/down/status ------------------------------------------


@dataclass(frozen=True)
class Service:
    """One real service: how to install, start, probe, stop and describe it."""

    name: str
    packages: tuple[str, ...]
    start: Callable[[Path], Process | None]  # the process to watch, if it spawned one
    answers: Callable[[Path], bool]
    stop: Callable[[Path], None]
    facts: Callable[[Path], Facts]
    paths: tuple[str, ...]  # under the services dir, removed by down
    timeout: float = 60.0

    def log(self, d: Path) -> Path:
        return d / f"{self.name}.log"


SERVICES: dict[str, Service] = {
    s.name: s
    for s in (
        Service(
            name="postgres",
            packages=("postgresql-15", "postgresql-15-hypopg"),
            start=_pg_start,
            answers=_pg_answers,
            stop=_pg_stop,
            facts=_pg_facts,
            paths=("postgres",),
        ),
        Service(
            name="prometheus",
            packages=("prometheus",),
            start=_prometheus_start,
            answers=_prometheus_answers,
            stop=_prometheus_stop,
            facts=_prometheus_facts,
            paths=("prometheus", "prom-data"),
        ),
        Service(
            name="alertmanager",
            packages=("prometheus-alertmanager",),
            start=_alertmanager_start,
            answers=_alertmanager_answers,
            stop=_alertmanager_stop,
            facts=_alertmanager_facts,
            paths=("alertmanager", "alertmanager.yml"),
        ),
        Service(
            name="docker",
            packages=("docker.io", "busybox-static"),
            start=_docker_start,
            answers=_docker_answers,
            stop=_docker_stop,
            facts=_docker_facts,
            paths=("docker", "docker.sock"),
            timeout=90.0,
        ),
        Service(
            name="registry",
            packages=("docker-registry",),
            start=_registry_start,
            answers=_registry_answers,
            stop=_registry_stop,
            facts=_registry_facts,
            paths=("registry",),
        ),
        Service(
            name="moto",
            packages=(),
            start=_moto_start,
            answers=_moto_answers,
            stop=_moto_stop,
            facts=_moto_facts,
            paths=(),
        ),
        Service(
            name="mariadb",
            packages=("mariadb-server",),
            start=_mariadb_start,
            answers=_mariadb_answers,
            stop=lambda d: _kill_pidfile(d / "mariadb.pid", "mariadbd"),
            facts=_mariadb_facts,
            paths=("mariadb",),
        ),
        Service(
            name="terraform",
            packages=(),
            start=_terraform_start,
            answers=_terraform_answers,
            stop=_terraform_stop,
            facts=_terraform_facts,
            paths=("terraformrc",),
        ),
    )
}


def _select(names: Iterable[str]) -> list[Service]:
    names = list(names) or list(SERVICES)
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise ServiceError(f"unknown service(s) {', '.join(unknown)}; known: {', '.join(SERVICES)}")
    return [SERVICES[n] for n in names]


def state_file(d: Path | None = None) -> Path:
    return (d or services_dir()) / "services.json"


def load_state(d: Path | None = None) -> dict[str, Facts]:
    """Connection facts of the services ``up`` started, by service name ({} if none)."""
    try:
        data = json.loads(state_file(d).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save_state(d: Path, state: dict[str, Facts]) -> None:
    path = state_file(d)
    if not state:
        path.unlink(missing_ok=True)
        return
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True) + "\n")
    tmp.replace(path)


def start(name: str) -> tuple[Facts, bool]:
    """Bring one service up (installing its packages if needed); reuse it if it already answers.

    Returns its facts and whether this call started it. Raises
    ServiceUnavailable if this machine cannot provide it, ServiceError if it
    did not come up.
    """
    svc = _select([name])[0]
    d = services_dir()
    d.mkdir(parents=True, exist_ok=True)
    d.chmod(0o755)  # user postgres must reach its socket and data below
    started = not svc.answers(d)
    if started:
        ensure_packages(svc.packages)
        try:
            proc = svc.start(d)
            _wait(svc.name, lambda: svc.answers(d), proc, svc.log(d), svc.timeout)
        except ServiceError:
            svc.stop(d)  # leave no half-started process behind; the log stays
            raise
    facts = svc.facts(d)
    state = load_state(d)
    state[svc.name] = facts
    _save_state(d, state)
    return facts, started


def stop(name: str) -> None:
    """Stop one service, remove its data and its entry in services.json."""
    svc = _select([name])[0]
    d = services_dir()
    svc.stop(d)
    for rel in svc.paths:
        path = d / rel
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    state = load_state(d)
    if state.pop(svc.name, None) is not None:
        _save_state(d, state)


def up(names: Iterable[str] = ()) -> dict[str, Facts]:
    """Start the named services (all if none); skip, with a note, those this machine cannot provide."""
    selected = _select(names)
    ensure_packages(p for svc in selected for p in svc.packages)  # one apt-get run for all
    for svc in selected:
        try:
            facts, started = start(svc.name)
        except ServiceUnavailable as exc:
            print(f"{svc.name:<11} skipped: {exc}")
            continue
        print(f"{svc.name:<11} {'started' if started else 'running'}  {next(iter(facts.values()))}")
    print(f"facts in {state_file()}")
    return load_state()


def down(names: Iterable[str] = ()) -> None:
    """Stop the named services (all if none), in reverse start order."""
    for svc in reversed(_select(names)):
        stop(svc.name)
        print(f"{svc.name:<11} stopped")


def status() -> dict[str, bool]:
    """Print and return which services answer."""
    d = services_dir()
    result = {}
    for svc in SERVICES.values():
        result[svc.name] = running = svc.answers(d)
        detail = next(iter(svc.facts(d).values())) if running else ""
        print(f"{svc.name:<11} {'running' if running else 'stopped':<8} {detail}".rstrip())
    return result
