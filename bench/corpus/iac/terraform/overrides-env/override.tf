# local testing: reach the database from a laptop
resource "aws_db_instance" "ledger" {
  publicly_accessible = true
}

resource "aws_security_group" "api" {
  ingress {
    description = "debug"
    from_port   = 5432
    to_port     = 5432
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
