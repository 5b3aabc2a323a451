resource "azurerm_mssql_server" "db" {
  name                         = "acme-sql"
  administrator_login          = "sqladmin"
  administrator_login_password = "LBfq~~!3KP~EGa#yDuvJ"
}

resource "github_actions_secret" "deploy" {
  repository      = "shop"
  secret_name     = "DEPLOY_KEY"
  plaintext_value = var.deploy_key
}

provider "datadog" {
  api_key = "c3b9c448c50299c3e93c614c2daa02b3"
  app_key = "c906730dcf1c8a3768ea5aeba22979811705afe6"
}
