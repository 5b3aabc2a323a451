provider "google" {
  project = var.project
  region  = "europe-west1"
}

resource "google_compute_firewall" "admin" {
  name    = "allow-admin"
  network = "default"

  allow {
    protocol = "tcp"
    ports    = ["22", "3389"]
  }

  source_ranges = var.ssh_sources
}

resource "google_sql_database_instance" "main" {
  name             = "main-pg"
  database_version = "POSTGRES_15"
  region           = "europe-west1"

  settings {
    tier = "db-f1-micro"

    ip_configuration {
      ipv4_enabled = true
      ssl_mode     = "ALLOW_UNENCRYPTED_AND_ENCRYPTED"

      authorized_networks {
        name  = "anyone"
        value = "0.0.0.0/0"
      }
    }

    backup_configuration {
      enabled = false
    }
  }
}

resource "google_container_cluster" "gke" {
  name               = "platform"
  location           = "europe-west1"
  initial_node_count = 1
  enable_legacy_abac = true

  private_cluster_config {
    enable_private_nodes    = var.private_nodes
    enable_private_endpoint = false
    master_ipv4_cidr_block  = "172.16.0.0/28"
  }

  master_auth {
    client_certificate_config {
      issue_client_certificate = true
    }
  }
}

resource "google_storage_bucket" "public_assets" {
  name                        = "acme-public-assets"
  location                    = "EU"
  uniform_bucket_level_access = false
}

resource "google_storage_bucket_iam_member" "public" {
  bucket = google_storage_bucket.public_assets.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_compute_instance" "jump" {
  name         = "jump"
  machine_type = "e2-small"
  zone         = "europe-west1-b"
  can_ip_forward = true

  boot_disk {
    initialize_params {
      image = "debian-cloud/debian-12"
    }
  }

  network_interface {
    network = "default"
    access_config {}
  }

  metadata = {
    serial-port-enable = true
    block-project-ssh-keys = false
  }
}
