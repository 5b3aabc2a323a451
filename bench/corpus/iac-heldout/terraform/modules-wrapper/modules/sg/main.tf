variable "name" { type = string }
variable "vpc_id" { type = string }
variable "ingress_cidr_blocks" {
  type    = list(string)
  default = ["0.0.0.0/0"]
}
variable "ingress_ports" {
  type    = list(number)
  default = [22, 443]
}

resource "aws_security_group" "this" {
  name        = var.name
  vpc_id      = var.vpc_id
  description = "managed by the sg wrapper"
}

resource "aws_security_group_rule" "ingress" {
  count             = length(var.ingress_ports)
  type              = "ingress"
  description       = "wrapper ingress"
  from_port         = var.ingress_ports[count.index]
  to_port           = var.ingress_ports[count.index]
  protocol          = "tcp"
  cidr_blocks       = var.ingress_cidr_blocks
  security_group_id = aws_security_group.this.id
}

output "id" { value = aws_security_group.this.id }
