rabbitmqctl add_user orders U0gau3Af1Afo73aeXx
rabbitmqctl add_user billing "$BILLING_MQ_PASSWORD"
