resource "aws_db_instance" "orders" {
  identifier              = "${local.name_prefix}-orders"
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.t4g.medium"
  allocated_storage       = 50
  username                = "orders"
  password                = var.db_password
  publicly_accessible     = var.public_db
  storage_encrypted       = var.encrypt_db
  backup_retention_period = local.is_prod ? 0 : 7
  deletion_protection     = false
  vpc_security_group_ids  = [aws_security_group.web.id]
}
