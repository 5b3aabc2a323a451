"""docker-compose files: which files are read, the ports syntaxes, environment forms, masking."""

from __future__ import annotations

import textwrap

import pytest

from opskit.audit.iac.compose import published_ports
from opskit.audit.iac.scanner import ComposeScanner, KubernetesScanner
from opskit.audit.iac.yaml_tree import Node
from opskit.audit.interface import ScanResult, ScanSettings, SourceFile


def scan(text: str, path: str = "docker-compose.yml", show_secrets: bool = False) -> ScanResult:
    return ComposeScanner(ScanSettings(show_secrets=show_secrets)).scan([SourceFile(path, textwrap.dedent(text))])


def rules(result: ScanResult) -> list[tuple[str, int]]:
    return sorted((f.rule_id.removeprefix("iac."), f.location.line or 0) for f in result.findings)


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ("5432:5432", (None, range(5432, 5433))),
        ("127.0.0.1:5432:5432/tcp", ("127.0.0.1", range(5432, 5433))),
        ("[::1]:6379:6379", ("::1", range(6379, 6380))),
        ("27017", (None, range(27017, 27018))),
        (5432, (None, range(5432, 5433))),
        ("3300-3310:3300-3310", (None, range(3300, 3311))),
        ("${DB_PORT:-5432}:5432", (None, range(5432, 5433))),
        ("8080:${APP_PORT}", None),
        ({"target": 5432, "published": "5432", "host_ip": "127.0.0.1"}, ("127.0.0.1", range(5432, 5433))),
        ({"target": 9200}, (None, range(9200, 9201))),
    ],
)
def test_published_ports(entry: object, expected: tuple[str | None, range] | None) -> None:
    assert published_ports(Node(entry, "ports.0", {})) == expected


def test_a_file_is_read_by_name_or_by_its_services() -> None:
    service = "services:\n  db:\n    image: postgres:latest\n"
    assert rules(scan(service, "stack.yml")) == [("compose-image-unpinned", 3)]
    assert rules(scan(service, "compose.prod.yaml")) == [("compose-image-unpinned", 3)]
    gitlab = "image: python:3.12\nservices:\n  - postgres:latest\n  - name: redis:latest\ntest:\n  script: [pytest]\n"
    assert scan(gitlab, ".gitlab-ci.yml").findings == []
    nested = "jobs:\n  test:\n    services:\n      db:\n        image: postgres:latest\n"
    assert scan(nested, ".github/workflows/ci.yml").findings == []
    assert KubernetesScanner(ScanSettings()).scan([SourceFile("docker-compose.yml", service)]).findings == []


def test_anchors_and_merge_keys_report_where_the_setting_is_written() -> None:
    result = scan("""\
        x-common: &common
          restart: unless-stopped
          privileged: true
        services:
          api:
            <<: *common
            image: example/api:1.0
          worker:
            <<: *common
            image: example/worker:1.0
        """)
    assert rules(result) == [("compose-privileged", 3), ("compose-privileged", 3)]
    assert {f.properties["resource"] for f in result.findings} == {"service/api", "service/worker"}


def test_v2_file_with_every_weakness_and_a_hardened_twin() -> None:
    weak = scan("""\
        version: "2.4"
        services:
          db:
            image: mongo
            ports: ["27017:27017"]
            environment:
              - MONGO_INITDB_ROOT_PASSWORD=example-not-placeholder-9f2k
              - MONGO_INITDB_ROOT_USERNAME=root
            security_opt: ["apparmor:unconfined"]
            ipc: host
            cap_add: [SYS_ADMIN]
        """)
    assert rules(weak) == [("compose-dangerous-capabilities", 11), ("compose-database-port-exposed", 5),
                           ("compose-host-namespace", 10), ("compose-image-unpinned", 4),
                           ("compose-unconfined-profile", 9)]  # "example" in a value marks a placeholder
    hardened = scan("""\
        services:
          db:
            image: mongo:7.0.12
            ports: ["127.0.0.1:27017:27017"]
            environment:
              MONGO_INITDB_ROOT_PASSWORD_FILE: /run/secrets/mongo_root
              MONGO_INITDB_ROOT_USERNAME: root
            secrets: [mongo_root]
            security_opt: ["no-new-privileges:true"]
            cap_drop: [ALL]
            read_only: true
        secrets:
          mongo_root:
            file: ./secrets/mongo_root.txt
        """)
    assert hardened.findings == [] and hardened.notes == []


def test_secret_values_never_appear_in_output() -> None:
    secret = "s3cr3t-Qw8zLp2Xv"
    text = f"services:\n  api:\n    image: example/api:1.0\n    environment:\n      API_TOKEN: {secret}\n" \
           f"      DB_PASSWORD: 123456789\n"
    result = scan(text)
    assert rules(result) == [("compose-secret-in-environment", 5), ("compose-secret-in-environment", 6)]
    for finding in result.findings:
        dumped = str(finding.to_dict())
        assert secret not in dumped and "123456789" not in dumped
    assert secret in str(scan(text, show_secrets=True).findings[0].to_dict())


def test_invalid_compose_file_is_a_one_line_note() -> None:
    result = scan("services:\n  web:\n    image: [unclosed\n")
    assert result.findings == []
    assert len(result.notes) == 1 and result.notes[0].startswith("docker-compose.yml:")


def test_values_of_unexpected_types_are_skipped_not_crashed_on() -> None:
    result = scan("""\
        services:
          db:
            image: [postgres]
            ports: [{target: 5432, host_ip: [0.0.0.0]}, "1-99999999:1-99999999", [5432], true]
            environment: [[A, b], 7, "=x"]
            volumes: [{source: [1]}, 5]
            cap_add: {SYS_ADMIN: true}
            security_opt: [[seccomp, unconfined]]
            network_mode: [host]
          2: {image: redis}
          empty:
        """)
    assert result.notes == []
    assert rules(result) == [("compose-database-port-exposed", 4), ("compose-image-unpinned", 10)]
