terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

module "assets_bucket" {
  source = "./modules/s3-bucket"
  bucket = "acme-public-assets"
}

module "bastion_sg" {
  source = "./modules/sg"
  name   = "bastion"
  vpc_id = "vpc-0a1b2c3d"
}

resource "aws_security_group" "db" {
  name        = "db"
  description = "database"
  vpc_id      = "vpc-0a1b2c3d"
}

resource "aws_security_group_rule" "db_from_anywhere" {
  type              = "ingress"
  description       = "postgres"
  from_port         = 5432
  to_port           = 5432
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = aws_security_group.db.id
}

resource "aws_security_group_rule" "rdp_v6" {
  type              = "ingress"
  description       = "rdp"
  from_port         = 3389
  to_port           = 3389
  protocol          = "tcp"
  ipv6_cidr_blocks  = ["::/0"]
  security_group_id = aws_security_group.db.id
}

resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.db.id
  description       = "ssh"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 22
  ip_protocol       = "tcp"
  to_port           = 22
}

resource "aws_security_group_rule" "https_internal" {
  type              = "ingress"
  description       = "https from the VPC"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
  security_group_id = aws_security_group.db.id
}
