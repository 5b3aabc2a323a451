resource "azurerm_network_security_rule" "https_from_front_door" {
  name                        = "https"
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "443"
  source_address_prefix       = "AzureFrontDoor.Backend"
  destination_address_prefix  = "*"
  resource_group_name         = "acme-rg"
  network_security_group_name = "web-nsg"
}

resource "azurerm_network_security_rule" "deny_all" {
  name                        = "deny-all"
  priority                    = 4096
  direction                   = "Inbound"
  access                      = "Deny"
  protocol                    = "*"
  source_port_range           = "*"
  destination_port_range      = "*"
  source_address_prefix       = "*"
  destination_address_prefix  = "*"
  resource_group_name         = "acme-rg"
  network_security_group_name = "web-nsg"
}

resource "azurerm_mssql_firewall_rule" "office" {
  name             = "office"
  server_id        = "/subscriptions/x/resourceGroups/acme-rg/providers/Microsoft.Sql/servers/acme-sql"
  start_ip_address = "203.0.113.10"
  end_ip_address   = "203.0.113.20"
}
