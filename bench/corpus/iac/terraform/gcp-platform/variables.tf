variable "project" {
  default = "acme-platform"
}

variable "ssh_sources" {
  default = ["0.0.0.0/0"]
}

variable "private_nodes" {
  default = "false"
}
