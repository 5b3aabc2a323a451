module "buckets" {
  source   = "./modules/bucket"
  for_each = var.buckets

  name       = "${local.name_prefix}-${each.key}"
  acl        = each.value.acl
  versioning = each.value.versioning
}

module "web" {
  source        = "./modules/web"
  name          = local.name_prefix
  instance_type = "t3.small"
  imdsv2        = local.is_prod ? "optional" : "required"
}
