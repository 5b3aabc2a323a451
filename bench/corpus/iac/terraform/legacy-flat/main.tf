provider "aws" {
  region     = "us-east-1"
  access_key = "AKIAIOSFODNN7EXAMPLQ"
  secret_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKQZ"
}

resource "aws_s3_bucket" "data" {
  bucket        = "legacy-customer-data"
  acl           = "public-read-write"
  force_destroy = true
}

resource "aws_s3_bucket" "logs" {
  bucket = "legacy-access-logs"
  acl    = "log-delivery-write"

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }
}

resource "aws_s3_bucket_policy" "data" {
  bucket = aws_s3_bucket.data.id
  policy = <<POLICY
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PublicRead",
      "Effect": "Allow",
      "Principal": "*",
      "Action": ["s3:GetObject"],
      "Resource": "arn:aws:s3:::legacy-customer-data/*"
    }
  ]
}
POLICY
}

resource "aws_ebs_volume" "scratch" {
  availability_zone = "us-east-1a"
  size              = 100
}

resource "aws_instance" "bastion" {
  ami                         = "ami-0c55b159cbfafe1f0"
  instance_type               = "t3.micro"
  associate_public_ip_address = true
  user_data                   = "#!/bin/sh\nexport AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"

  ebs_block_device {
    device_name = "/dev/sdb"
    volume_size = 20
    encrypted   = false
  }
}

resource "aws_security_group" "bastion" {
  name        = "bastion"
  description = "bastion access"

  ingress {
    description = "ssh"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "rdp"
    from_port   = 3389
    to_port     = 3389
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_default_security_group" "default" {
  vpc_id = "vpc-0123456789abcdef0"

  ingress {
    protocol  = -1
    self      = true
    from_port = 0
    to_port   = 0
  }
}

resource "aws_kms_key" "app" {
  description             = "app key"
  deletion_window_in_days = 7
  enable_key_rotation     = false
}

resource "aws_cloudtrail" "main" {
  name                          = "main-trail"
  s3_bucket_name                = aws_s3_bucket.logs.id
  include_global_service_events = true
  enable_log_file_validation    = false
}

resource "aws_elasticache_replication_group" "sessions" {
  replication_group_id       = "sessions"
  description                = "session store"
  node_type                  = "cache.t3.micro"
  num_cache_clusters         = 2
  at_rest_encryption_enabled = false
  transit_encryption_enabled = false
}

resource "aws_elasticsearch_domain" "search" {
  domain_name           = "search"
  elasticsearch_version = "7.10"

  encrypt_at_rest {
    enabled = false
  }

  node_to_node_encryption {
    enabled = false
  }

  domain_endpoint_options {
    enforce_https = false
  }
}

resource "aws_opensearch_domain" "logs" {
  domain_name    = "logs"
  engine_version = "OpenSearch_2.11"
}

resource "aws_neptune_cluster" "graph" {
  cluster_identifier  = "graph"
  engine              = "neptune"
  skip_final_snapshot = true
  storage_encrypted   = false
}

resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = false
  }
}

resource "aws_eks_cluster" "main" {
  name     = "main"
  role_arn = "arn:aws:iam::123456789012:role/eks"

  vpc_config {
    subnet_ids              = ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]
    endpoint_public_access  = true
    endpoint_private_access = false
  }
}

resource "aws_lambda_function" "thumbs" {
  function_name = "thumbs"
  role          = "arn:aws:iam::123456789012:role/lambda"
  handler       = "index.handler"
  runtime       = "nodejs20.x"
  filename      = "thumbs.zip"

  environment {
    variables = {
      API_KEY     = "sk_live_51HxQzLkPq8Xw2Yv9TbN3mRa"
      DB_PASSWORD = "Lambda-Pa55word-2024"
      LOG_LEVEL   = "info"
    }
  }
}

resource "aws_rds_cluster" "reporting" {
  cluster_identifier      = "reporting"
  engine                  = "aurora-mysql"
  master_username         = "admin"
  master_password         = "Aurora-Admin-Pass-99"
  backup_retention_period = 1
  storage_encrypted       = false
}

resource "aws_db_instance" "legacy" {
  identifier          = "legacy"
  engine              = "mysql"
  instance_class      = "db.t3.micro"
  allocated_storage   = 20
  username            = "root"
  password            = "changeme-legacy-123"
  publicly_accessible = true
  skip_final_snapshot = true
}

resource "aws_iam_user_policy" "ci" {
  name = "ci"
  user = "ci-bot"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_role_policy" "ops" {
  name = "ops"
  role = "ops"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ec2:*"]
      Resource = "*"
    }]
  })
}
