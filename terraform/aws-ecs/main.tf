# The service on AWS ECS (Fargate): an ECR repository, a cluster, a task definition running the
# image digest opskit passes, and a service keeping it running. Set aws_endpoint to run against an
# emulator (moto); credentials come only from the environment (AWS_ACCESS_KEY_ID/...), never files.

terraform {
  required_version = ">= 1.4"
  # opskit passes -backend-config=path=... so state lives beside its deploy history.
  backend "local" {}
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
}

variable "image" {
  description = "Image to run, as an immutable digest reference (repo@sha256:...)."
  type        = string
  validation {
    condition     = can(regex("@sha256:[0-9a-f]{64}$", var.image))
    error_message = "The image must be a digest reference (repo@sha256:<64 hex>)."
  }
}

variable "name" {
  description = "Service name: used for the ECR repository, cluster, task family and service."
  type        = string
}

variable "region" {
  description = "AWS region."
  type        = string
  default     = "us-east-1"
}

variable "aws_endpoint" {
  description = "Endpoint URL of an AWS emulator (e.g. http://127.0.0.1:55500); empty for real AWS."
  type        = string
  default     = ""
}

variable "port" {
  description = "Container port."
  type        = number
  default     = 8080
}

variable "cpu" {
  description = "Task CPU units."
  type        = number
  default     = 256
}

variable "memory" {
  description = "Task memory (MiB)."
  type        = number
  default     = 512
}

variable "desired_count" {
  description = "Tasks to keep running."
  type        = number
  default     = 1
}

variable "subnets" {
  description = "Subnet ids for the service's awsvpc network."
  type        = list(string)
  default     = []
}

locals {
  emulated = var.aws_endpoint != ""
}

provider "aws" {
  region = var.region

  skip_credentials_validation = local.emulated
  skip_requesting_account_id  = local.emulated
  skip_metadata_api_check     = local.emulated

  endpoints {
    ecr = local.emulated ? var.aws_endpoint : null
    ecs = local.emulated ? var.aws_endpoint : null
    iam = local.emulated ? var.aws_endpoint : null
    sts = local.emulated ? var.aws_endpoint : null
  }
}

resource "aws_ecr_repository" "service" {
  name                 = var.name
  image_tag_mutability = "IMMUTABLE"
  force_delete         = true
}

resource "aws_ecs_cluster" "service" {
  name = var.name
}

resource "aws_ecs_task_definition" "service" {
  family                   = var.name
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = var.cpu
  memory                   = var.memory
  container_definitions = jsonencode([
    {
      name         = var.name
      image        = var.image
      essential    = true
      portMappings = [{ containerPort = var.port, protocol = "tcp" }]
      # Secrets belong in "secrets" (Secrets Manager/SSM ARNs), never in plain environment values.
      environment = [{ name = "PORT", value = tostring(var.port) }]
    }
  ])
}

resource "aws_ecs_service" "service" {
  name            = var.name
  cluster         = aws_ecs_cluster.service.id
  task_definition = aws_ecs_task_definition.service.arn
  desired_count   = var.desired_count
  launch_type     = "FARGATE"

  network_configuration {
    subnets = var.subnets
  }
}

output "image" {
  description = "The image digest the service runs."
  value       = var.image
}

output "repository_url" {
  description = "Where to push the service's images."
  value       = aws_ecr_repository.service.repository_url
}

output "task_definition" {
  description = "ARN of the task definition revision now in service."
  value       = aws_ecs_task_definition.service.arn
}

output "service" {
  description = "The ECS service's id."
  value       = aws_ecs_service.service.id
}
