provider "google" {
  project = "acme-prod"
  region  = "europe-west1"
}

resource "google_compute_network" "vpc" {
  name                    = "acme-vpc"
  auto_create_subnetworks = false
}

resource "google_compute_firewall" "allow_ssh" {
  name    = "allow-ssh"
  network = google_compute_network.vpc.name

  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["0.0.0.0/0"]
}

resource "google_compute_firewall" "allow_rdp_range" {
  name    = "allow-rdp"
  network = google_compute_network.vpc.name

  allow {
    protocol = "tcp"
    ports    = ["3000-4000"]
  }
  source_ranges = ["0.0.0.0/0"]
}

resource "google_compute_firewall" "allow_internal" {
  name    = "allow-internal"
  network = google_compute_network.vpc.name
  allow {
    protocol = "tcp"
    ports    = ["0-65535"]
  }
  source_ranges = ["10.128.0.0/9"]
}

resource "google_sql_database_instance" "main" {
  name             = "acme-sql"
  database_version = "POSTGRES_15"
  region           = "europe-west1"

  settings {
    tier = "db-custom-2-7680"
    ip_configuration {
      ipv4_enabled = true
      require_ssl  = false
      authorized_networks {
        name  = "everyone"
        value = "0.0.0.0/0"
      }
    }
    backup_configuration {
      enabled = false
    }
  }
  deletion_protection = false
}

resource "google_container_cluster" "primary" {
  name               = "acme-gke"
  location           = "europe-west1"
  initial_node_count = 3
  enable_legacy_abac = true

  master_auth {
    username = "admin"
    password = "Sup3rS3cretClusterPassw0rd!"
    client_certificate_config {
      issue_client_certificate = true
    }
  }

  node_config {
    machine_type = "e2-standard-4"
    oauth_scopes = ["https://www.googleapis.com/auth/cloud-platform"]
  }
}

resource "google_storage_bucket" "public_site" {
  name                        = "acme-public-site"
  location                    = "EU"
  uniform_bucket_level_access = false
}

resource "google_storage_bucket_iam_member" "public_read" {
  bucket = google_storage_bucket.public_site.name
  role   = "roles/storage.objectViewer"
  member = "allUsers"
}

resource "google_storage_bucket_iam_binding" "public_list" {
  bucket  = google_storage_bucket.public_site.name
  role    = "roles/storage.legacyBucketReader"
  members = ["allAuthenticatedUsers"]
}

resource "google_project_iam_member" "ci_owner" {
  project = "acme-prod"
  role    = "roles/owner"
  member  = "serviceAccount:ci@acme-prod.iam.gserviceaccount.com"
}

resource "google_compute_instance" "jump" {
  name           = "jump"
  machine_type   = "e2-micro"
  zone           = "europe-west1-b"
  can_ip_forward = true
  boot_disk {
    initialize_params { image = "debian-cloud/debian-12" }
  }
  network_interface {
    network = google_compute_network.vpc.name
    access_config {}
  }
  metadata = {
    serial-port-enable     = "true"
    block-project-ssh-keys = "false"
  }
}
