ui = true
storage "consul" {
  address = "127.0.0.1:8500"
  path    = "vault/"
  token   = "e9a66436-ade1-4b3c-adc1-1809fafb95d9"
}
seal "awskms" {
  region     = "eu-west-1"
  kms_key_id = "9e514b0b-0391-4278-abcd-ee6b32f5b12b"
}
listener "tcp" {
  address       = "0.0.0.0:8200"
  tls_cert_file = "/etc/vault/tls/vault.crt"
  tls_key_file  = "/etc/vault/tls/vault.key"
}
