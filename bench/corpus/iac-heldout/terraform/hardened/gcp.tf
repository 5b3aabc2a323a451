resource "google_compute_firewall" "iap_ssh" {
  name    = "allow-iap-ssh"
  network = "acme-vpc"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["35.235.240.0/20"]
}

resource "google_storage_bucket" "private" {
  name                        = "acme-private-artifacts"
  location                    = "EU"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  versioning { enabled = true }
  logging { log_bucket = "acme-gcs-logs" }
}

resource "google_storage_bucket_iam_member" "ci_reader" {
  bucket = google_storage_bucket.private.name
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:ci@acme-prod.iam.gserviceaccount.com"
}
