variable "env" {
  default = "prod"
}

variable "office_cidr" {
  default = "203.0.113.0/24"
}

variable "db_password" {
  type      = string
  sensitive = true
}
