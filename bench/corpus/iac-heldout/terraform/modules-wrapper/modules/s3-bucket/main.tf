variable "bucket" { type = string }
variable "acl" {
  description = "Canned ACL. Defaults to the legacy value for backwards compatibility."
  type        = string
  default     = "public-read-write"
}
variable "versioning" {
  type    = bool
  default = false
}
variable "block_public_acls" {
  type    = bool
  default = false
}
variable "restrict_public_buckets" {
  type    = bool
  default = false
}

resource "aws_s3_bucket" "this" {
  bucket = var.bucket
}

resource "aws_s3_bucket_acl" "this" {
  bucket = aws_s3_bucket.this.id
  acl    = var.acl
}

resource "aws_s3_bucket_versioning" "this" {
  bucket = aws_s3_bucket.this.id
  versioning_configuration {
    status = var.versioning ? "Enabled" : "Suspended"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = var.block_public_acls
  block_public_policy     = var.block_public_acls
  ignore_public_acls      = var.block_public_acls
  restrict_public_buckets = var.restrict_public_buckets
}

output "id" { value = aws_s3_bucket.this.id }
