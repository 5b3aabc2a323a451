resource "google_bigquery_dataset" "analytics" {
  dataset_id = "analytics"
  location   = "EU"

  access {
    role          = "READER"
    special_group = "allAuthenticatedUsers"
  }

  access {
    role          = "OWNER"
    user_by_email = "data-team@acme.example"
  }
}

resource "google_project_iam_member" "ci_editor" {
  project = "acme-shop"
  role    = "roles/editor"
  member  = "serviceAccount:ci@acme-shop.iam.gserviceaccount.com"
}

resource "google_project_iam_member" "impersonate" {
  project = "acme-shop"
  role    = "roles/iam.serviceAccountTokenCreator"
  member  = "user:dev@acme.example"
}

resource "google_kms_key_ring" "shop" {
  name     = "shop"
  location = "europe-west1"
}

resource "google_kms_crypto_key" "data" {
  name     = "data"
  key_ring = google_kms_key_ring.shop.id
}

resource "google_compute_subnetwork" "apps" {
  name          = "apps"
  ip_cidr_range = "10.10.0.0/20"
  region        = "europe-west1"
  network       = "shop-vpc"
}

resource "google_container_node_pool" "general" {
  name    = "general"
  cluster = "shop-gke"

  node_config {
    machine_type = "e2-standard-4"
  }
}
