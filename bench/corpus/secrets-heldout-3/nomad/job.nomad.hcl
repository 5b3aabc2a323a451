vault {
  policies = ["app"]
}
template {
  data = <<EOT
DB_PASSWORD={{ with secret "kv/data/app" }}{{ .Data.data.password }}{{ end }}
EOT
}
