region          = "eu-west-1"
db_password     = "X2gP1iUPyTmZVOAo#9"
cloudflare_api_token = "W8g1NeEMyYxOBAEEDuXZSjvsFValHFIqnpHc968n"
github_token    = ""
