data "aws_iam_policy_document" "admin" {
  statement {
    sid       = "Everything"
    effect    = "Allow"
    actions   = ["*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "s3_all" {
  statement {
    actions   = ["s3:*"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "passrole" {
  statement {
    actions   = ["iam:PassRole"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "assume_from_anyone" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

data "aws_iam_policy_document" "read_only" {
  statement {
    actions   = ["s3:GetObject", "s3:ListBucket"]
    resources = ["arn:aws:s3:::acme-reports", "arn:aws:s3:::acme-reports/*"]
  }
}

data "aws_iam_policy_document" "bucket_public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-web/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

resource "aws_iam_policy" "admin" {
  name   = "admin"
  policy = data.aws_iam_policy_document.admin.json
}

resource "aws_iam_role" "ci" {
  name               = "ci"
  assume_role_policy = data.aws_iam_policy_document.assume_from_anyone.json
}

resource "aws_iam_role_policy" "ci_s3" {
  name   = "ci-s3"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.s3_all.json
}

resource "aws_iam_role_policy" "ci_pass" {
  name   = "ci-pass"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.passrole.json
}

resource "aws_iam_role_policy" "ci_read" {
  name   = "ci-read"
  role   = aws_iam_role.ci.id
  policy = data.aws_iam_policy_document.read_only.json
}

resource "aws_s3_bucket_policy" "web" {
  bucket = "acme-web"
  policy = data.aws_iam_policy_document.bucket_public.json
}

resource "aws_iam_group_policy_attachment" "devs_admin" {
  group      = "developers"
  policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
}
