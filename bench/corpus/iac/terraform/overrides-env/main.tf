# Base configuration shared by every environment; per-environment tweaks live in *_override.tf files
# that the pipeline copies in (and one someone committed for local testing).

resource "aws_db_instance" "ledger" {
  identifier                          = "ledger"
  engine                              = "postgres"
  instance_class                      = "db.r6g.large"
  allocated_storage                   = 100
  manage_master_user_password         = true
  username                            = "ledger"
  publicly_accessible                 = false
  storage_encrypted                   = true
  iam_database_authentication_enabled = true
  deletion_protection                 = true
  backup_retention_period             = 14
  enabled_cloudwatch_logs_exports     = ["postgresql"]
}

resource "aws_security_group" "api" {
  name        = "ledger-api"
  description = "ledger API"
  vpc_id      = "vpc-0a1b2c3d"

  ingress {
    description = "https from the load balancer"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.8.0.0/16"]
  }
}

resource "aws_ebs_volume" "journal" {
  availability_zone = "eu-west-1b"
  size              = 200
  encrypted         = false
}

resource "aws_instance" "worker" {
  ami           = "ami-0abcdef1234567890"
  instance_type = "m6i.large"

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }

  root_block_device {
    encrypted = true
  }
}
