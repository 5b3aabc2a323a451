"""Recall across the places credentials really live: one realistic file per format and the rules it must trigger."""

from __future__ import annotations

import base64
import json

import pytest

from opskit.audit.secrets.detector import KeywordDetector
from opskit.audit.secrets.rules import default_ruleset
from tests.audit.secrets import fakes

DETECTOR = KeywordDetector(default_ruleset())
UPPER32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _cases() -> list[tuple[str, str, str]]:
    pw, token, key_id = fakes.password(), fakes.github_token(), fakes.aws_key_id()
    secret = fakes.body(40, fakes.ALNUM + "+/")
    pem_body = "\n".join(fakes.body(64, fakes.ALNUM + "+/") for _ in range(8))
    auth = base64.b64encode(f"ci:{pw}".encode()).decode()
    notebook = {
        "cells": [
            {"cell_type": "code", "source": [f'openai.api_key = "sk-proj-{fakes.body(24)}T3BlbkFJ{fakes.body(24)}"']}
        ]
    }
    return [
        (".netrc", f"machine git.acme.io\n  login ci\n  password {pw}\n", "netrc-password"),
        ("wp-config.php", f"<?php\ndefine( 'DB_PASSWORD', '{pw}' );\n", "generic-password"),
        (
            "docker-compose.yml",
            f"services:\n  db:\n    environment:\n      - POSTGRES_PASSWORD={pw}\n",
            "generic-password",
        ),
        (
            "k8s/secret.yaml",
            f"apiVersion: v1\nkind: Secret\nstringData:\n  api-token: {fakes.body(32)}\n",
            "kubernetes-secret-data",
        ),
        (
            ".aws/credentials",
            f"[default]\naws_access_key_id = {key_id}\naws_secret_access_key = {secret}\n",
            "aws-access-key-id,aws-secret-access-key",
        ),
        (".npmrc", f"//npm.acme.io/:_authToken={fakes.body(36)}\n", "npmrc-auth-token"),
        (
            ".pypirc",
            f"[pypi]\nusername = __token__\npassword = pypi-AgEIcHlwaS5vcmc{fakes.body(60)}\n",
            "pypi-upload-token",
        ),
        (".docker/config.json", json.dumps({"auths": {"registry.acme.io": {"auth": auth}}}), "docker-config-auth"),
        (
            "deploy/id_rsa",
            f"-----BEGIN RSA PRIVATE KEY-----\n{pem_body}\n-----END RSA PRIVATE KEY-----\n",
            "private-key",
        ),
        (".git-credentials", f"https://ci:{token}@github.com\n", "github-pat"),
        ("src/main/resources/application.properties", f"spring.datasource.password={pw}\n", "generic-password"),
        ("config/database.yml", f"production:\n  adapter: postgresql\n  password: {pw}\n", "generic-password"),
        ("prod.tfvars", f'db_password = "{pw}"\n', "generic-password"),
        (
            ".github/workflows/deploy.yml",
            f"env:\n  SLACK_BOT_TOKEN: xoxb-{fakes.body(12, '0123456789')}-"
            f"{fakes.body(13, '0123456789')}-{fakes.body(24)}\n",
            "slack-bot-token",
        ),
        ("scripts/backup.sh", f"mysqldump -u backup -p{pw} shop | gzip > shop.sql.gz\n", "mysql-cli-password"),
        ("scripts/publish.sh", f"curl -fsS -u deploy:{pw} -T pkg.tgz https://nexus.acme.io/repo/\n", "curl-basic-auth"),
        ("notebooks/explore.ipynb", json.dumps(notebook), "openai-api-key"),
        ("settings.py", f'SECRET_KEY = "{fakes.body(50)}"\n', "app-secret-key"),
        (
            "web.config",
            f'<add name="db" connectionString="Server=sql01;Database=erp;User Id=erp;Password={pw};" />\n',
            "connection-string-password",
        ),
        ("Dockerfile", f"FROM python:3.12-slim\nENV STRIPE_API_KEY={fakes.stripe_key()}\n", "stripe-live-secret-key"),
        ("config/sts.env", f"AWS_ACCESS_KEY_ID={fakes.body(4, UPPER32)}\n", ""),  # too short: nothing
    ]


@pytest.mark.parametrize(("path", "text", "rule_id"), _cases(), ids=[c[0] for c in _cases()])
def test_credential_in_its_natural_habitat_is_found(path: str, text: str, rule_id: str) -> None:
    found = [m.rule.id for m in DETECTOR.find(text, path)]
    assert found == [r for r in rule_id.split(",") if r], found
