# The module default is the provider's; the platform override below switches to the team's key.
resource "aws_sqs_queue" "orders" {
  name                    = "orders"
  sqs_managed_sse_enabled = false
}
