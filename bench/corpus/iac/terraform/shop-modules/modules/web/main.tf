variable "name" {
  type = string
}

variable "instance_type" {
  type = string
}

variable "imdsv2" {
  type    = string
  default = "required"
}

resource "aws_instance" "web" {
  ami           = "ami-0abcdef1234567890"
  instance_type = var.instance_type
  user_data     = <<-EOT
    #!/bin/bash
    export DB_PASSWORD="Prod-Passw0rd-From-UserData"
    /opt/app/start
  EOT

  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = var.imdsv2
  }

  root_block_device {
    volume_size = 30
  }
}

output "instance_id" {
  value = aws_instance.web.id
}
