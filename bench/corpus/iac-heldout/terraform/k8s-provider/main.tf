provider "kubernetes" {
  config_path = "~/.kube/config"
}

resource "kubernetes_namespace" "tools" {
  metadata { name = "tools" }
}

resource "kubernetes_deployment" "node_agent" {
  metadata {
    name      = "node-agent"
    namespace = kubernetes_namespace.tools.metadata[0].name
  }
  spec {
    replicas = 1
    selector { match_labels = { app = "node-agent" } }
    template {
      metadata { labels = { app = "node-agent" } }
      spec {
        host_network = true
        host_pid     = true
        container {
          name  = "agent"
          image = "acme/node-agent:latest"
          security_context {
            privileged                 = true
            allow_privilege_escalation = true
            run_as_user                = 0
            capabilities {
              add = ["SYS_ADMIN", "NET_ADMIN"]
            }
          }
          env {
            name  = "API_TOKEN"
            value = "c2VjcmV0LXRva2VuLWZvci10aGUtYWdlbnQ="
          }
          volume_mount {
            name       = "docker-sock"
            mount_path = "/var/run/docker.sock"
          }
        }
        volume {
          name = "docker-sock"
          host_path { path = "/var/run/docker.sock" }
        }
      }
    }
  }
}

resource "kubernetes_pod" "debug" {
  metadata { name = "debug" }
  spec {
    container {
      name  = "shell"
      image = "busybox"
      security_context {
        privileged = true
      }
    }
  }
}

resource "kubernetes_deployment_v1" "web" {
  metadata { name = "web" }
  spec {
    selector { match_labels = { app = "web" } }
    template {
      metadata { labels = { app = "web" } }
      spec {
        automount_service_account_token = false
        security_context {
          run_as_non_root = true
          run_as_user     = 10001
          seccomp_profile { type = "RuntimeDefault" }
        }
        container {
          name  = "web"
          image = "acme/web:1.4.2@sha256:0c3fb9ab2c2e1d0ab7e2c9e0a1f2d7d1c8b9a6e5f4d3c2b1a0f9e8d7c6b5a4f3"
          security_context {
            allow_privilege_escalation = false
            read_only_root_filesystem  = true
            capabilities { drop = ["ALL"] }
          }
          resources {
            limits   = { cpu = "500m", memory = "256Mi" }
            requests = { cpu = "100m", memory = "128Mi" }
          }
        }
      }
    }
  }
}

resource "kubernetes_cluster_role" "ops" {
  metadata { name = "ops-all" }
  rule {
    api_groups = ["*"]
    resources  = ["*"]
    verbs      = ["*"]
  }
}
