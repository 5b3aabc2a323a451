provider "azurerm" {
  features {}
}

variable "location" {
  default = "westeurope"
}

variable "admin_ports" {
  default = ["22", "3389"]
}

locals {
  rg = "app-rg"
}

resource "azurerm_storage_account" "data" {
  name                            = "appdata001"
  resource_group_name             = local.rg
  location                        = var.location
  account_tier                    = "Standard"
  account_replication_type        = "LRS"
  https_traffic_only_enabled      = false
  min_tls_version                 = "TLS1_0"
  allow_nested_items_to_be_public = true
}

resource "azurerm_mssql_server" "sql" {
  name                         = "app-sql"
  resource_group_name          = local.rg
  location                     = var.location
  version                      = "12.0"
  administrator_login          = "sqladmin"
  administrator_login_password = "Azure-Sql-Passw0rd!"
  minimum_tls_version          = "1.0"
}

resource "azurerm_mssql_firewall_rule" "all" {
  name             = "allow-all"
  server_id        = azurerm_mssql_server.sql.id
  start_ip_address = "0.0.0.0"
  end_ip_address   = "255.255.255.255"
}

resource "azurerm_key_vault" "main" {
  name                       = "app-kv"
  location                   = var.location
  resource_group_name        = local.rg
  tenant_id                  = "00000000-0000-0000-0000-000000000000"
  sku_name                   = "standard"
  purge_protection_enabled   = false
  soft_delete_retention_days = 7
}

resource "azurerm_network_security_group" "vm" {
  name                = "vm-nsg"
  location            = var.location
  resource_group_name = local.rg

  dynamic "security_rule" {
    for_each = var.admin_ports
    content {
      name                       = "admin-${security_rule.value}"
      priority                   = 100 + security_rule.key
      direction                  = "Inbound"
      access                     = "Allow"
      protocol                   = "Tcp"
      source_port_range          = "*"
      destination_port_range     = security_rule.value
      source_address_prefix      = "*"
      destination_address_prefix = "*"
    }
  }
}

resource "azurerm_network_security_rule" "ssh" {
  name                        = "ssh"
  priority                    = 200
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "Internet"
  destination_address_prefix  = "*"
  resource_group_name         = local.rg
  network_security_group_name = azurerm_network_security_group.vm.name
}

resource "azurerm_kubernetes_cluster" "aks" {
  name                              = "app-aks"
  location                          = var.location
  resource_group_name               = local.rg
  dns_prefix                        = "appaks"
  role_based_access_control_enabled = false

  default_node_pool {
    name       = "default"
    node_count = 2
    vm_size    = "Standard_D2_v2"
  }

  identity {
    type = "SystemAssigned"
  }
}
