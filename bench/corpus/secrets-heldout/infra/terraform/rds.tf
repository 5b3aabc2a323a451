resource "aws_db_instance" "orders" {
  identifier        = "orders-prod"
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  username          = "orders"
  password          = "T.#U_!Id.FrWyi!M6s1L"
  allocated_storage = 100
}

resource "aws_db_instance" "analytics" {
  identifier = "analytics"
  username   = "analytics"
  password   = var.analytics_db_password
}

resource "random_password" "redis" {
  length  = 32
  special = false
}

resource "aws_elasticache_replication_group" "cache" {
  auth_token = random_password.redis.result
}

variable "datadog_api_key" {
  type      = string
  default   = "2e90a21a587e7ed5c1e943ec9ae6e8a9"
  sensitive = true
}

variable "db_password" {
  type      = string
  sensitive = true
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "AKIAWU6UBDR525SQ5OT5"
  secret_key = "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"
}

data "aws_secretsmanager_secret_version" "db" {
  secret_id = "prod/orders/db"
}

output "db_password_arn" {
  value = aws_secretsmanager_secret.db.arn
}
