"""``opskit audit --only iac``: Dockerfile, Terraform, config, Kubernetes, compose and GitHub Actions checks,
rules as YAML data in ``rules/``."""

from opskit.audit.iac.scanner import (
    ComposeScanner,
    ConfigScanner,
    DockerfileScanner,
    GithubActionsScanner,
    KubernetesScanner,
    TerraformScanner,
)

SCANNERS = [DockerfileScanner, TerraformScanner, ConfigScanner, KubernetesScanner, ComposeScanner,
            GithubActionsScanner]
