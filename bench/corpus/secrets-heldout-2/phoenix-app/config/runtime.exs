import Config

config :shop, Shop.Repo,
  username: "shop",
  password: "kZ01BZGaG7yOh3FZ9N",
  hostname: "db.internal"

config :shop, ShopWeb.Endpoint,
  secret_key_base: "C7VLotddxg7qACPVsOnA66cKIFTmxrrjtjVmd4xI0zvy4Zr9moEHZhNX2xGqc/fQ"

config :stripity_stripe, api_key: System.get_env("STRIPE_SECRET")
config :ex_aws, secret_access_key: [{:system, "AWS_SECRET_ACCESS_KEY"}, :instance_role]
config :sentry, dsn: "https://ec544ad77bf39768915e2ed4a2243774@o159970.ingest.sentry.io/7628480"
