variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "env" {
  type    = string
  default = "staging"
}

variable "public_db" {
  type    = bool
  default = false
}

variable "encrypt_db" {
  description = "Encrypt the database volume"
  type        = string
  default     = "false"
}

variable "admin_cidrs" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}

variable "db_password" {
  type      = string
  sensitive = true
  default   = "S3cure-But-Committed-2024"
}

variable "buckets" {
  type = map(object({
    acl        = string
    versioning = bool
  }))
  default = {
    assets  = { acl = "public-read", versioning = false }
    reports = { acl = "private", versioning = true }
  }
}

variable "ingress_ports" {
  type    = list(number)
  default = [443, 22, 5432]
}
