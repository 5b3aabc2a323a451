resource "aws_instance" "worker" {
  metadata_options {
    http_tokens = "optional"
  }
}
