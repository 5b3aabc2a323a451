output "connection_string" {
  value     = "postgresql://${var.user}:${random_password.db.result}@${aws_db_instance.db.address}/app"
  sensitive = true
}
