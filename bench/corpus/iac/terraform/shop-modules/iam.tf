resource "aws_iam_policy" "deployer" {
  name = "${local.name_prefix}-deployer"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = local.deploy_statements
  })
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "worker" {
  name               = "${local.name_prefix}-worker"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}
