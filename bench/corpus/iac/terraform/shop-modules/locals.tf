locals {
  name_prefix = "shop-${var.env}"
  is_prod     = var.env == "prod"
  common_tags = {
    Project = "shop"
    Env     = var.env
  }
  deploy_statements = [
    {
      Effect   = "Allow"
      Action   = ["s3:*"]
      Resource = "*"
    },
    {
      Effect   = "Allow"
      Action   = ["iam:PassRole"]
      Resource = "*"
    },
  ]
}
