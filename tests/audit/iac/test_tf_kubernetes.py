"""The kubernetes provider's resources are judged by the manifest rules: a pod written as
``kubernetes_deployment`` is flagged where the same pod in YAML is, and a hardened one is not."""

from __future__ import annotations

from opskit.audit.iac.scanner import TerraformScanner
from opskit.audit.iac.tf_kubernetes import field_name
from opskit.audit.interface import ScanSettings, SourceFile
from opskit.audit.trees import MemoryTree

WORKLOADS = '''
resource "kubernetes_service_account_v1" "quiet" {
  metadata { name = "quiet" }
  automount_service_account_token = false
}

resource "kubernetes_daemon_set_v1" "agent" {
  metadata { name = "agent" }
  spec {
    selector { match_labels = { app = "agent" } }
    template {
      metadata { labels = { app = "agent" } }
      spec {
        host_pid = true
        container {
          name  = "agent"
          image = "acme/agent:latest"
          security_context {
            privileged  = true
            run_as_user = 0
            capabilities { add = ["SYS_ADMIN"] }
          }
          env {
            name  = "DB_PASSWORD"
            value = "hunter2-but-longer"
          }
        }
        volume {
          name = "sock"
          host_path { path = "/run/containerd/containerd.sock" }
        }
      }
    }
  }
}

resource "kubernetes_cron_job_v1" "report" {
  metadata { name = "report" }
  spec {
    schedule = "0 3 * * *"
    job_template {
      metadata {}
      spec {
        template {
          metadata {}
          spec {
            service_account_name = "quiet"
            security_context {
              run_as_non_root = true
              seccomp_profile { type = "RuntimeDefault" }
            }
            container {
              name  = "report"
              image = "acme/report:2.1.0"
              security_context {
                allow_privilege_escalation = false
                read_only_root_filesystem  = true
                capabilities { drop = ["ALL"] }
              }
              env {
                name = "DB_PASSWORD"
                value_from {
                  secret_key_ref {
                    name = "db"
                    key  = "password"
                  }
                }
              }
              resources { limits = { memory = "128Mi" } }
            }
          }
        }
      }
    }
  }
}

resource "kubernetes_cluster_role" "ops" {
  metadata { name = "ops" }
  rule {
    api_groups = [""]
    resources  = ["secrets"]
    verbs      = ["get", "list"]
  }
  rule {
    api_groups = ["apps"]
    resources  = ["deployments"]
    verbs      = ["*"]
  }
}

resource "kubernetes_role_v1" "reader" {
  metadata { name = "reader" }
  rule {
    api_groups     = [""]
    resources      = ["configmaps", "secrets"]
    resource_names = ["app-config"]
    verbs          = ["get"]
  }
}
'''


def _findings() -> set[tuple[int, str, str]]:
    scanner = TerraformScanner(ScanSettings(root="."))
    result = scanner.scan([SourceFile("k8s.tf", WORKLOADS, tree=MemoryTree({"k8s.tf": WORKLOADS}))])
    assert not result.notes
    return {(f.location.line, f.rule_id.removeprefix("iac."), f.properties["resource"]) for f in result.findings}


def _line(needle: str, after: int = 0) -> int:
    return next(n for n, text in enumerate(WORKLOADS.splitlines(), start=1) if n > after and needle in text)


def test_provider_pods_and_roles_are_judged_by_the_manifest_rules() -> None:
    found = _findings()
    agent = "kubernetes_daemon_set_v1.agent"
    for needle, rule in (("host_pid", "k8s-host-namespace"), ("acme/agent:latest", "k8s-image-unpinned"),
                         ("privileged  = true", "k8s-privileged-container"), ("run_as_user = 0", "k8s-runs-as-root"),
                         ("SYS_ADMIN", "k8s-dangerous-capabilities"), ("hunter2", "k8s-secret-in-env"),
                         ("containerd.sock", "k8s-runtime-socket"), ("container {", "k8s-no-resource-limits")):
        assert (_line(needle), rule, agent) in found, (needle, rule)
    role = "kubernetes_cluster_role.ops"
    assert (_line('"secrets"'), "k8s-rbac-read-secrets", role) in found
    assert (_line('verbs      = ["*"]'), "k8s-rbac-wildcard", role) in found


def test_a_hardened_provider_pod_and_a_narrow_role_are_not_flagged() -> None:
    found = _findings()
    assert not [f for f in found if f[2] in ("kubernetes_cron_job_v1.report", "kubernetes_role_v1.reader",
                                             "kubernetes_service_account_v1.quiet")]


def test_field_names_follow_the_api() -> None:
    assert [field_name(n) for n in ("run_as_non_root", "host_pid", "host_ipc", "image", "seccomp_profile")] == \
        ["runAsNonRoot", "hostPID", "hostIPC", "image", "seccompProfile"]
