"""Which file names each IaC scanner reads."""

from __future__ import annotations

import pytest

from opskit.audit.iac.scanner import (
    ComposeScanner,
    ConfigScanner,
    DockerfileScanner,
    IacScanner,
    KubernetesScanner,
    TerraformScanner,
)
from opskit.audit.interface import ScanSettings


@pytest.mark.parametrize(
    ("scanner", "path", "wanted"),
    [
        (DockerfileScanner, "Dockerfile", True),
        (DockerfileScanner, "docker/Dockerfile.prod", True),
        (DockerfileScanner, "api.dockerfile", True),
        (DockerfileScanner, "Containerfile", True),
        (DockerfileScanner, "Dockerfile.md", False),
        (DockerfileScanner, "Dockerfile.dockerignore", False),
        (DockerfileScanner, "docs/dockerfiles.txt", False),
        (DockerfileScanner, "opskit/audit/iac/dockerfile.py", False),
        (DockerfileScanner, "rules/dockerfile.yaml", False),
        (DockerfileScanner, "Dockerfile-dev", True),
        (DockerfileScanner, "Containerfile.ci", True),
        (TerraformScanner, "infra/main.tf", True),
        (TerraformScanner, "prod.tfvars", True),
        (TerraformScanner, "main.tf.json", True),
        (TerraformScanner, "prod.tfvars.json", True),
        (TerraformScanner, "package.json", False),
        (ConfigScanner, ".env", True),
        (ConfigScanner, "deploy/.env.production", True),
        (ConfigScanner, "prod.env", True),
        (ConfigScanner, "mysite/settings.py", True),
        (ConfigScanner, "mysite/settings/base.py", True),
        (ConfigScanner, "app/views.py", False),
        (ConfigScanner, ".envrc", False),
        (KubernetesScanner, "deploy/app.yaml", True),  # every YAML file: manifests are recognised by content
        (KubernetesScanner, "chart/templates/NOTES.txt", False),
        (KubernetesScanner, "deploy/app.json", False),
        (ComposeScanner, "docker-compose.override.yml", True),
        (ComposeScanner, "stack.YAML", True),
        (ComposeScanner, "docker-compose.env", False),
    ],
)
def test_wants(scanner: type[IacScanner], path: str, wanted: bool) -> None:
    assert scanner(ScanSettings()).wants(path) is wanted
