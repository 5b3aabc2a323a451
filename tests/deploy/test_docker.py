"""The Docker adapter against the real engine and registry: digest recorded, labels set, build and
push failures (including in-band push errors) as one-line errors without the registry password."""

from __future__ import annotations

import shutil
import subprocess
import urllib.request
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from opskit.core.errors import InputError, ServiceError
from opskit.deploy.docker_adapter import DockerImageBuilder
from opskit.deploy.engine import Deployer
from opskit.deploy.interface import Adapters, DeployOptions, ImageSpec, Playbook, RegistrySpec, TerraformSpec
from opskit.deploy.source import context_clean
from tests.deploy.conftest import REPO
from tests.deploy.fakes import FakeHealth, FakeInfra

pytestmark = pytest.mark.docker

PASSWORD = "push-pw-77aa66bb55cc"
CREDENTIALS = RegistrySpec(username_env="T_REG_USER", password_env="T_REG_PASSWORD")


@pytest.fixture
def context(tmp_path: Path) -> Path:
    ctx = tmp_path / "ctx"
    shutil.copytree(REPO / "examples" / "deploy-service", ctx, ignore=shutil.ignore_patterns("busybox"))
    shutil.copy2("/bin/busybox", ctx / "busybox")
    return ctx


@pytest.fixture
def engine(docker_host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", docker_host)
    monkeypatch.setenv("T_REG_USER", "ci")
    monkeypatch.setenv("T_REG_PASSWORD", PASSWORD)


def test_build_and_push_records_the_registry_digest(engine: None, context: Path, registry: str) -> None:
    spec = ImageSpec(repository=f"{registry}/opskit-test/adapter", context=context, network_mode="none")
    lines: list[str] = []
    labels = {"org.opencontainers.image.revision": "c0ffee"}
    built = DockerImageBuilder(CREDENTIALS, show_progress=False).build_and_push(spec, "c0ffee", labels, lines.append)
    digest = built.digest_ref.split("@", 1)[1]
    request = urllib.request.Request(
        f"http://{registry}/v2/opskit-test/adapter/manifests/c0ffee",
        headers={"Accept": "application/vnd.docker.distribution.manifest.v2+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert resp.headers["Docker-Content-Digest"] == digest
    assert built.repository == spec.repository and built.tag == "c0ffee"
    assert any(line.startswith("Step 1/") for line in lines)
    assert any(line.endswith(": Pushed") or "already exists" in line for line in lines)
    assert PASSWORD not in "\n".join(lines)
    import docker

    config = docker.from_env().api.inspect_image(built.image_id)["Config"]
    assert config["Labels"] == labels


def test_in_band_push_error_is_a_service_error(engine: None, context: Path) -> None:
    spec = ImageSpec(repository="127.0.0.1:1/opskit-test/nowhere", context=context, network_mode="none")
    with pytest.raises(ServiceError) as err:
        DockerImageBuilder(CREDENTIALS, show_progress=False).build_and_push(spec, "t1", {}, lambda line: None)
    assert err.value.message.startswith("docker push 127.0.0.1:1/opskit-test/nowhere:t1 failed: ")
    assert "127.0.0.1:1" in err.value.message and PASSWORD not in err.value.message


def test_broken_dockerfile_names_the_file(engine: None, context: Path) -> None:
    (context / "Dockerfile").write_text("FROM scratch\nCOPY no-such-file /x\n")
    spec = ImageSpec(repository="127.0.0.1:1/opskit-test/broken", context=context, network_mode="none")
    with pytest.raises(InputError, match=rf"^{context / 'Dockerfile'}: build failed: .*no-such-file"):
        DockerImageBuilder(RegistrySpec(), show_progress=False).build_and_push(spec, "t", {}, lambda line: None)


def test_missing_registry_credentials(engine: None, context: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("T_REG_PASSWORD")
    spec = ImageSpec(repository="127.0.0.1:1/opskit-test/creds", context=context, network_mode="none")
    with pytest.raises(InputError, match="environment variable\\(s\\) T_REG_PASSWORD not set"):
        DockerImageBuilder(CREDENTIALS, show_progress=False).build_and_push(spec, "t", {}, lambda line: None)


def test_unreachable_engine(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no.sock")
    spec = ImageSpec(repository="r/x", context=REPO / "examples" / "deploy-service")
    with pytest.raises(ServiceError, match=rf"^docker engine unix://{tmp_path}/no.sock unreachable: "):
        DockerImageBuilder(RegistrySpec(), show_progress=False).build_and_push(spec, "t", {}, lambda line: None)


def test_the_same_commit_builds_the_same_digest(engine: None, context: Path, registry: str) -> None:
    """--plan-only and the deploy that follows build one image: no build time in labels or config."""
    spec = ImageSpec(repository=f"{registry}/opskit-test/same-commit", context=context, network_mode="none")
    labels = {"org.opencontainers.image.revision": "5a5e" * 10, "io.opskit.deploy.service": "same"}
    builder = DockerImageBuilder(RegistrySpec(), show_progress=False)
    planned = builder.build_and_push(spec, "5a5e5a5e5a5e", labels, lambda line: None)
    deployed = builder.build_and_push(spec, "5a5e5a5e5a5e", labels, lambda line: None)
    assert planned.digest_ref == deployed.digest_ref


def test_plan_only_and_the_deploy_after_a_cold_cache_apply_one_digest(
    engine: None, context: Path, registry: str, tmp_path: Path
) -> None:
    """A rebuild on a cold cache gets a new ``created`` time, so the deploy reuses the image --plan-only
    pushed for the commit instead of building; a new commit builds anew."""
    import docker

    repository = f"{registry}/opskit-test/reuse-{uuid.uuid4().hex[:10]}"
    playbook = Playbook(
        source=tmp_path / "reuse.yml",
        service="reuse",
        env="default",
        image=ImageSpec(repository=repository, context=context, network_mode="none"),
        registry=RegistrySpec(),
        terraform=TerraformSpec(directory=REPO / "terraform" / "local-docker"),
        state_dir=tmp_path / "state",
    )
    commit = [uuid.uuid4().hex + "0" * 8]
    clean = [True]
    infra, lines = FakeInfra(), []
    adapters = Adapters(
        DockerImageBuilder(RegistrySpec(), show_progress=False),
        infra,
        FakeHealth(infra, set()),
        git_commit=lambda pb: (commit[0], "git@x"),
        context_clean=lambda pb: clean[0],
    )
    client = docker.from_env().api
    try:
        planned = Deployer(playbook, adapters, lines.append).deploy(DeployOptions(plan_only=True))
        assert f"pushed {planned.image}" in lines
        client.remove_image(f"{repository}:{commit[0][:12]}", force=True)  # with it the build's cached layers
        lines.clear()
        deployed = Deployer(playbook, adapters, lines.append).deploy(DeployOptions())
        assert deployed.image == planned.image == infra.running
        tag = commit[0][:12]
        assert f"reused {planned.image}: tag {tag} already pushed for commit {tag}, not rebuilt" in lines
        assert not any(line.startswith(("Step ", "pushed ")) for line in lines)
        assert client.images(name=repository) == []  # nothing was built

        commit[0] = uuid.uuid4().hex + "1" * 8
        lines.clear()
        rebuilt = Deployer(playbook, adapters, lines.append).deploy(DeployOptions())
        assert rebuilt.image != planned.image and f"pushed {rebuilt.image}" in lines
        assert not any(line.startswith("reused ") for line in lines)

        clean[0] = False  # the same commit with uncommitted changes: the pushed image is not this code
        lines.clear()
        Deployer(playbook, adapters, lines.append).deploy(DeployOptions())
        assert not any(line.startswith("reused ") for line in lines)
        assert any(line.startswith("build context has uncommitted changes") for line in lines)
    finally:
        for image in client.images(name=repository):
            client.remove_image(image["Id"], force=True)


def test_registry_lookup_finds_nothing_or_fails_as_a_service_error(engine: None, context: Path, registry: str) -> None:
    builder = DockerImageBuilder(RegistrySpec(), show_progress=False)
    never = ImageSpec(repository=f"{registry}/opskit-test/never-{uuid.uuid4().hex[:10]}", context=context)
    assert builder.pushed_image(never, "t") is None
    nowhere = ImageSpec(repository="127.0.0.1:1/opskit-test/nowhere", context=context)
    with pytest.raises(ServiceError, match=r"^registry lookup of 127.0.0.1:1/opskit-test/nowhere:t failed: .*refused"):
        builder.pushed_image(nowhere, "t")


def test_context_is_clean_only_without_uncommitted_changes(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), *args], check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Dockerfile").write_text("FROM scratch\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c")
    playbook = SimpleNamespace(image=SimpleNamespace(context=tmp_path / "app"))
    assert context_clean(playbook)  # type: ignore[arg-type]
    (tmp_path / "app" / "new.txt").write_text("x\n")
    assert not context_clean(playbook)  # type: ignore[arg-type]
    assert not context_clean(SimpleNamespace(image=SimpleNamespace(context=tmp_path.parent)))  # type: ignore[arg-type]
