external_url 'https://gitlab.acme.io'
gitlab_rails['initial_root_password'] = 'cobalt#5608pRte1'
gitlab_rails['smtp_enable'] = true
gitlab_rails['smtp_password'] = "nPcUvI1dR6rgk29eAspHF5AJ"
gitlab_rails['omniauth_providers'] = [
  {
    name: "openid_connect",
    args: { client_options: { identifier: "gitlab", secret: "XiZE9H7GPNPXO5gsrFou137KZUowzOawgI3WADr7" } }
  }
]
