c = get_config()  # noqa
c.ServerApp.ip = "0.0.0.0"
c.ServerApp.token = "fe843cea979bd9ee176290501bed58ab39360627a24a2da9"
c.PasswordIdentityProvider.hashed_password = "argon2:$argon2id$v=19$m=10240,t=10,p=8$mZJJVJuh5hfAjIxJ76LiLw==$2TlNXSY8u/JodV28FQQRBduvE7CsoTtFvCrGqDiz8N4="
c.ServerApp.open_browser = False
