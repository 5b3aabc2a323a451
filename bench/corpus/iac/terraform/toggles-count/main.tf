variable "environment" {
  default = "dev"
}

variable "enable_encryption" {
  default = "false"
}

variable "log_buckets" {
  default = 2
}

locals {
  encrypted = var.enable_encryption == "true"
  sg_rules = {
    ssh   = { port = 22, cidr = "0.0.0.0/0" }
    https = { port = 443, cidr = "0.0.0.0/0" }
    redis = { port = 6379, cidr = "0.0.0.0/0" }
  }
}

resource "aws_security_group" "app" {
  name        = "app-${var.environment}"
  description = "app"
}

resource "aws_security_group_rule" "ingress" {
  for_each          = local.sg_rules
  type              = "ingress"
  description       = each.key
  from_port         = each.value.port
  to_port           = each.value.port
  protocol          = "tcp"
  cidr_blocks       = [each.value.cidr]
  security_group_id = aws_security_group.app.id
}

resource "aws_ebs_volume" "data" {
  count             = 2
  availability_zone = "eu-west-1a"
  size              = 50
  encrypted         = local.encrypted
}

resource "aws_db_instance" "app" {
  count                   = var.environment == "prod" ? 0 : 1
  identifier              = "app-${var.environment}"
  engine                  = "postgres"
  instance_class          = "db.t4g.micro"
  allocated_storage       = 20
  username                = "app"
  manage_master_user_password = true
  storage_encrypted       = local.encrypted
  backup_retention_period = 0
}

resource "aws_sqs_queue" "jobs" {
  name                    = "jobs"
  sqs_managed_sse_enabled = false
}

resource "aws_sns_topic" "alerts" {
  name = "alerts"
}

resource "aws_launch_template" "workers" {
  name_prefix   = "workers"
  image_id      = "ami-0abcdef1234567890"
  instance_type = "t3.small"

  metadata_options {
    http_tokens = "optional"
  }
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/abc"
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/abc"
  }
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = data.aws_iam_policy_document.admin.json
}

data "aws_iam_policy_document" "admin" {
  statement {
    effect    = "Allow"
    actions   = ["*"]
    resources = ["*"]
  }
}
