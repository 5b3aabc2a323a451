Stripe.api_key = Rails.application.credentials.dig(:stripe, :secret_key)
Sidekiq.configure_server do |config|
  config.redis = { url: "redis://:4B8MU7Btba8RWKTyULC8TSlD@redis.internal:6379/1" }
end
Geocoder.configure(api_key: "OEBiUyaWGz8jMwBjOe64yewuMzQH4xG4vEs6rCc")
Rollbar.configure do |config|
  config.access_token = 'b39455632dc1d8fe58c5b611d7f45108'
  config.environment = Rails.env
end
Pusher.app_id = '2710168'
Pusher.key = 'b74cf49858b3fec86b83'
Pusher.secret = '17783c067ff843d68f5d'
MAILCHIMP_KEY = ENV.fetch("MAILCHIMP_KEY", "0eb5ad309aebaa2c8aba470a6e1cdde7-us14")
ADMIN_PASSWORD = ENV['ADMIN_PASSWORD']
