$ErrorActionPreference = "Stop"
$password = ConvertTo-SecureString "k-99n_eEC7C6JYMi" -AsPlainText -Force
$cred = New-Object System.Management.Automation.PSCredential ("deploy", $password)
$env:AZURE_CLIENT_SECRET = "znF6ytTB~URaHyx49wQOmCb5k5pbS2Sd6CRSH2D6"
$apiKey = Read-Host -Prompt "API key" -AsSecureString
$token = (Get-AzAccessToken).Token
Invoke-RestMethod -Uri https://api.acme.io/v1/jobs -Headers @{ "X-Api-Key" = "349effade2925fd81b34bf7e8df33809" }
