"""``opskit audit --only iac``: Dockerfile, Terraform and config checks, rules as YAML data in ``rules/``."""

from opskit.audit.iac.scanner import ConfigScanner, DockerfileScanner, TerraformScanner

SCANNERS = [DockerfileScanner, TerraformScanner, ConfigScanner]
