"""How RUN scripts are split into commands and what each command is taken to do."""

from __future__ import annotations

import pytest

from opskit.audit.iac.dockerfile_run import (
    commands,
    downloads_to_file,
    has_pipe,
    insecure_transport,
    sets_pipefail,
    skips_signatures,
    unpinned_packages,
    world_writable,
)


def test_scripts_split_on_lists_pipes_and_continuations() -> None:
    found = commands("apt-get update \\\n && DEBIAN_FRONTEND=noninteractive sudo -E apt-get install -y curl "
                     "|| true; echo 'a && b' | tee /x")
    assert [c.words[:2] for c in found] == [("apt-get", "update"), ("apt-get", "install"), ("true",),
                                             ("echo", "a && b"), ("tee", "/x")]
    assert found[1].sudo and not found[0].sudo


@pytest.mark.parametrize(
    ("script", "manager", "packages"),
    [
        ("apt-get install -y --no-install-recommends curl=7.88.1-10 git", "apt", ["git"]),
        ("apt-get -y -o Dpkg::Options::=--force-confold install ./local.deb $EXTRA", "apt", []),
        ("apk add --no-cache --virtual .build-deps gcc musl-dev=1.2.5-r0", "apk", ["gcc"]),
        ("pip install -r requirements.txt -c constraints.txt flask 'django>=5' ./pkg", "pip", ["flask"]),
        ("python3 -m pip install --upgrade pip setuptools==70.0.0", "pip", ["pip"]),
        ("npm install -g @angular/cli serve@14.2.3", "npm", ["@angular/cli"]),
        ("npm install", "npm", []),
        ("gem install bundler -v 2.5.11", "gem", []),
        ("gem install rails:7.1.3 puma", "gem", ["puma"]),
        ("go install golang.org/x/tools/gopls@latest", "go", ["golang.org/x/tools/gopls@latest"]),
        ("go install ./cmd/...", "", []),
        ("yum -y install epel-release nginx-1.20.1", "yum", ["epel-release"]),
    ],
)
def test_unpinned_packages(script: str, manager: str, packages: list[str]) -> None:
    found = [unpinned_packages(c) for c in commands(script)]
    assert [(m, p) for m, p in found if p] == ([(manager, packages)] if packages else [])


def test_pipes_and_pipefail() -> None:
    assert has_pipe("curl -fsS https://x | tar -xz") and not has_pipe("test -f a || echo 'a|b'")
    assert sets_pipefail("set -eux -o pipefail; curl x | sh") and not sets_pipefail("set -eux; curl x | sh")


def test_downloads_to_a_file() -> None:
    def url(script: str) -> str | None:
        return next((u for u in (downloads_to_file(c) for c in commands(script)) if u), None)

    assert url("curl -fsSLo /tmp/x.tgz https://e.com/x.tgz") == "https://e.com/x.tgz"
    assert url("curl -fsSL -O https://e.com/x.tgz") == "https://e.com/x.tgz"
    assert url("wget -q https://e.com/x.tgz") == "https://e.com/x.tgz"
    assert url("wget -qO- https://e.com/key.asc") is None
    assert url("curl -fsS https://api.e.com/health") is None


@pytest.mark.parametrize(
    ("script", "check", "expected"),
    [
        ("curl -fsSLk https://e.com/x -o /x", insecure_transport, "curl -k (TLS certificate not checked)"),
        ("curl -fsSL https://e.com/x -o /x", insecure_transport, None),
        ("pip install --trusted-host pypi.local pkg==1", insecure_transport,
         "pip --trusted-host (TLS certificate not checked)"),
        ("git config --global http.sslVerify false", insecure_transport, "git http.sslVerify false"),
        ("chmod -R 777 /srv", world_writable, "777"),
        ("chmod 1777 /tmp", world_writable, None),
        ("chmod a+w /srv/data", world_writable, "a+w"),
        ("chmod 0755 /usr/local/bin/x", world_writable, None),
        ("apt-get install -y --allow-unauthenticated make", skips_signatures, "apt-get --allow-unauthenticated"),
        ("rpm -ivh --nosignature pkg.rpm", skips_signatures, "rpm --nosignature"),
        ("apk add --no-cache make", skips_signatures, None),
    ],
)
def test_command_checks(script: str, check: object, expected: str | None) -> None:
    assert callable(check)
    assert next((w for w in (check(c) for c in commands(script)) if w), None) == expected
