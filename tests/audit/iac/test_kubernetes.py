"""Kubernetes manifests: streams, Lists, nesting, securityContext precedence, templates, CRDs, bounds."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from opskit.audit.iac import yaml_tree
from opskit.audit.iac.containers import ContainerPolicy
from opskit.audit.iac.scanner import KubernetesScanner
from opskit.audit.interface import ScanResult, ScanSettings, SourceFile


def scan(text: str, path: str = "k8s/manifest.yaml", show_secrets: bool = False) -> ScanResult:
    return KubernetesScanner(ScanSettings(show_secrets=show_secrets)).scan([SourceFile(path, textwrap.dedent(text))])


def found(result: ScanResult, rule: str) -> list[tuple[int, str]]:
    return [(f.location.line or 0, f.properties.get("resource", "")) for f in result.findings
            if f.rule_id == f"iac.{rule}"]


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: {name}
spec:
  containers:
    - name: app
      image: example/app:1.0
      securityContext:
        privileged: true
"""


def test_every_document_of_a_stream_is_checked_at_its_own_lines() -> None:
    text = POD.format(name="a") + "---\n# a comment between documents\n---\n" + POD.format(name="b")
    result = scan(text)
    assert found(result, "k8s-privileged-container") == [(10, "Pod/a"), (23, "Pod/b")]
    assert result.notes == []


def test_items_of_a_list_are_objects() -> None:
    result = scan("""\
        apiVersion: v1
        kind: List
        items:
          - apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              template:
                spec:
                  hostNetwork: true
                  containers: [{name: web, image: "nginx:1.27"}]
          - apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec: {type: LoadBalancer, ports: [{port: 80}]}
        """)
    assert found(result, "k8s-host-namespace") == [(10, "Deployment/web")]
    assert not [f for f in result.findings if "Service" in f.properties.get("resource", "")]


def test_cronjob_pod_template_is_found_under_the_job_template() -> None:
    result = scan("""\
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: backup}
        spec:
          schedule: "@daily"
          jobTemplate:
            spec:
              template:
                spec:
                  containers:
                    - name: dump
                      image: postgres:latest
        """)
    assert found(result, "k8s-image-unpinned") == [(12, "CronJob/backup")]


DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata: {{name: api}}
spec:
  template:
    spec:
      securityContext: {pod}
      containers:
        - name: api
          image: example/api:2.0
          securityContext: {container}
"""


@pytest.mark.parametrize(
    ("pod", "container", "lines"),
    [
        ("{runAsNonRoot: true}", "{}", []),
        ("{runAsNonRoot: true}", "{runAsNonRoot: false}", [11]),  # the container's own setting wins
        ("{runAsNonRoot: false}", "{runAsNonRoot: true}", []),
        ("{runAsUser: 0}", "{runAsUser: 1000}", []),
        ("{runAsUser: 1000}", "{runAsUser: 0}", [11]),
        ("{runAsUser: 0}", "{}", [7]),  # inherited from the pod: reported where it is set
        ("{}", "{}", [11]),
        ("{runAsNonRoot: true}", "{runAsUser: 0}", []),  # the kubelet refuses to start it as root
    ],
)
def test_container_security_context_overrides_the_pods(pod: str, container: str, lines: list[int]) -> None:
    result = scan(DEPLOYMENT.format(pod=pod, container=container))
    assert [line for line, _ in found(result, "k8s-runs-as-root")] == lines


def test_seccomp_of_the_pod_applies_unless_the_container_sets_its_own() -> None:
    result = scan(DEPLOYMENT.format(pod="{seccompProfile: {type: RuntimeDefault}}",
                                    container="{seccompProfile: {type: Unconfined}}"))
    assert found(result, "k8s-seccomp-unset") == [(11, "Deployment/api")]
    assert found(scan(DEPLOYMENT.format(pod="{seccompProfile: {type: RuntimeDefault}}", container="{}")),
                 "k8s-seccomp-unset") == []


def test_helm_template_that_does_not_parse_is_a_note() -> None:
    result = scan("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "chart.fullname" . }}
        spec:
          template:
            spec:
              containers:
                - name: app
                  {{- with .Values.securityContext }}
                  securityContext:
                    {{- toYaml . | nindent 12 }}
                  {{- end }}
        """, path="chart/templates/deployment.yaml")
    assert result.findings == []
    assert len(result.notes) == 1
    assert result.notes[0].startswith("chart/templates/deployment.yaml:")
    assert "Helm or Go template" in result.notes[0] and "\n" not in result.notes[0]


def test_template_expressions_in_values_are_not_literals() -> None:
    result = scan("""\
        apiVersion: v1
        kind: Pod
        metadata: {name: app}
        spec:
          containers:
            - name: app
              image: "{{ .Values.image.repository }}"
              env:
                - name: DB_PASSWORD
                  value: "{{ .Values.db.password }}"
        """)
    assert found(result, "k8s-image-unpinned") == [] and found(result, "k8s-secret-in-env") == []


def test_custom_resources_kustomize_patches_and_other_yaml_are_left_alone() -> None:
    result = scan("""\
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: rollouts.argoproj.io}
        spec:
          group: argoproj.io
          names: {kind: Rollout, plural: rollouts}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata: {name: web}
        spec:
          template:
            spec:
              containers: [{name: web, image: "nginx:latest", securityContext: {privileged: true}}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web}
        spec:
          replicas: 3
          template:
            spec:
              containers:
                - name: web
                  resources: {limits: {memory: 1Gi}}
        """)
    assert result.findings == [] and result.notes == []
    workflow = "name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo kind\n"
    assert scan(workflow, ".github/workflows/ci.yml").findings == []


def test_a_file_is_recognised_by_content_not_by_name() -> None:
    assert found(scan(POD.format(name="x"), "anything.yml"), "k8s-privileged-container") == [(10, "Pod/x")]
    assert scan("apiVersion: 3\nkind: of a config\n", "config.yaml").findings == []


def test_secret_values_never_appear_in_output() -> None:
    secret = "Zq7#mL2pX9vTk4Rw"
    text = f"""\
        apiVersion: v1
        kind: Pod
        metadata: {{name: api}}
        spec:
          containers:
            - name: api
              image: example/api:1.0
              env:
                - {{name: API_TOKEN, value: "{secret}"}}
                - name: DB_PASSWORD
                  value: "Zq7\\u0023mL2pX9vTk4Rw"
        """
    findings = [f for f in scan(text).findings if f.rule_id == "iac.k8s-secret-in-env"]
    assert [f.location.line for f in findings] == [9, 11]
    for finding in findings:
        assert secret not in str(finding.to_dict()), finding.to_dict()
        assert "***" in finding.location.snippet
    shown = [f for f in scan(text, show_secrets=True).findings if f.rule_id == "iac.k8s-secret-in-env"]
    assert all(secret in f.location.snippet for f in shown)


def test_nesting_past_the_bound_is_a_note_not_a_recursion() -> None:
    text = "apiVersion: v1\nkind: ConfigMap\ndata:\n  x: " + "[" * 5000 + "]" * 5000 + "\n"
    result = scan(text)
    assert result.findings == []
    assert result.notes == ["k8s/manifest.yaml:4: cannot parse as kubernetes, skipped: nested more than 128 "
                            "levels deep"]


def test_an_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
              f"*a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 9)]
    result = scan("apiVersion: v1\nkind: ConfigMap\n" + "\n".join(lines) + "\n")
    assert result.findings == [] and "expands to more than" in result.notes[0]


def test_work_is_linear_in_a_huge_list(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = {"get": 0, "secret": 0}
    real_get, real_secret = yaml_tree.Node.get, ContainerPolicy.literal_secret

    def counting_get(self: yaml_tree.Node, *keys: Any) -> yaml_tree.Node:
        calls["get"] += 1
        return real_get(self, *keys)

    def counting_secret(self: ContainerPolicy, name: object, value: object) -> str | None:
        calls["secret"] += 1
        return real_secret(self, name, value)

    monkeypatch.setattr(yaml_tree.Node, "get", counting_get)
    monkeypatch.setattr(ContainerPolicy, "literal_secret", counting_secret)
    entries = 5_000
    env = "".join(f"        - {{name: VAR_{i}, value: v{i}}}\n" for i in range(entries))
    text = POD.format(name="big").replace("      securityContext:\n", "      env:\n" + env + "      securityContext:\n")
    result = scan(text)
    assert found(result, "k8s-privileged-container") == [(11 + entries, "Pod/big")]
    assert calls["secret"] == entries
    assert calls["get"] < 4 * entries + 200  # a few lookups per entry, nothing per pair of entries


def test_values_of_unexpected_types_are_skipped_not_crashed_on() -> None:
    result = scan("""\
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: [not, a, name]}
        automountServiceAccountToken: false
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: {odd: 1}}
        spec:
          serviceAccountName: [a]
          hostNetwork: "true"
          volumes: [{hostPath: {path: [1]}}, "x"]
          securityContext: {runAsUser: false, seccompProfile: {type: [RuntimeDefault]}}
          containers:
            - name: [x]
              image: 7
              env: {A: b}
              securityContext: {capabilities: {add: SYS_ADMIN, drop: [[ALL]]}, privileged: "true"}
              resources: {limits: [memory]}
            - "just a string"
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: r}
        rules: [{verbs: "*", resources: [{a: 1}, secrets]}, 7]
        """)
    assert result.notes == []
    assert "iac.k8s-privileged-container" not in {f.rule_id for f in result.findings}  # "true" is not true
    assert "iac.k8s-runs-as-root" in {f.rule_id for f in result.findings}  # runAsUser: false is no user
