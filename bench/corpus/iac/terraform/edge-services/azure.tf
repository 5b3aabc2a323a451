resource "azurerm_linux_web_app" "shop" {
  name                = "shop-web"
  resource_group_name = "shop-rg"
  location            = "westeurope"
  service_plan_id     = "/subscriptions/000/resourceGroups/shop-rg/providers/Microsoft.Web/serverFarms/plan"

  site_config {
    minimum_tls_version = "1.0"
    ftps_state          = "AllAllowed"
  }
}

resource "azurerm_linux_virtual_machine" "build" {
  name                            = "build-agent"
  resource_group_name             = "shop-rg"
  location                        = "westeurope"
  size                            = "Standard_B2s"
  admin_username                  = "builder"
  admin_password                  = "Build-Agent-Passw0rd!"
  disable_password_authentication = false
  network_interface_ids           = ["/subscriptions/000/nic/build"]

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }
}

resource "azurerm_key_vault_secret" "db" {
  name         = "db-password"
  value        = "Vault-Stored-But-Committed-1"
  key_vault_id = "/subscriptions/000/resourceGroups/shop-rg/providers/Microsoft.KeyVault/vaults/shop-kv"
}

resource "azurerm_redis_cache" "sessions" {
  name                = "shop-sessions"
  location            = "westeurope"
  resource_group_name = "shop-rg"
  capacity            = 1
  family              = "C"
  sku_name            = "Standard"
  enable_non_ssl_port = true
  minimum_tls_version = "1.0"
}
