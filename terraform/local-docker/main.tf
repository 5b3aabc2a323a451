# Runs one container on the local Docker engine, by image digest, with no downloadable provider:
# built-in terraform_data plus local-exec provisioners calling the docker CLI (DOCKER_HOST is
# inherited from the environment). A new digest replaces the resource: the old container is
# removed by the destroy-time provisioner, then the new one is started.

terraform {
  required_version = ">= 1.4"
  # opskit passes -backend-config=path=... so state lives beside its deploy history.
  backend "local" {}
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
  description = "Container name."
  type        = string
}

variable "port" {
  description = "Port the service listens on (passed as PORT)."
  type        = number
  default     = 8080
}

variable "network" {
  description = "Docker network mode (host: the service listens on the host's loopback)."
  type        = string
  default     = "host"
}

variable "env" {
  description = "Extra environment variables for the container."
  type        = map(string)
  default     = {}
}

variable "secret_env" {
  description = "Secret environment variables for the container (never shown in plans or logs)."
  type        = map(string)
  default     = {}
  sensitive   = true
}

locals {
  env_flags = join(" ", [for k, v in merge(var.env, { PORT = tostring(var.port) }) : "-e ${k}=${v}"])
}

resource "terraform_data" "container" {
  triggers_replace = [var.image, var.name, var.port, var.network, var.env, sha256(jsonencode(var.secret_env))]

  input = {
    name  = var.name
    image = var.image
  }

  provisioner "local-exec" {
    # Pull first, without secrets in scope, so Terraform shows docker's error if the digest is missing.
    command = "docker image inspect ${var.image} >/dev/null 2>&1 || docker pull -q ${var.image}"
  }

  provisioner "local-exec" {
    # Secrets travel as environment variables of docker run (-e NAME without a value), never argv;
    # being sensitive, they make Terraform hide this command's output.
    command     = "docker rm -f ${var.name} >/dev/null 2>&1; docker run -d --name ${var.name} --restart unless-stopped --network ${var.network} ${local.env_flags} ${join(" ", [for k in nonsensitive(keys(var.secret_env)) : "-e ${k}"])} ${var.image}"
    environment = var.secret_env
  }

  provisioner "local-exec" {
    when    = destroy
    command = "docker rm -f ${self.input.name}"
  }
}

output "image" {
  description = "The image digest now running."
  value       = terraform_data.container.output.image
}

output "container" {
  description = "The container's name."
  value       = terraform_data.container.output.name
}
