datacenter = "eu1"
encrypt = "KEuytsWNcQKvWDLbdeVew2x1/dXK07hR1jpYCTk+vT1="
acl {
  tokens {
    initial_management = "71673a7e-157c-4e16-9a07-017d6e10d91e"
  }
}
