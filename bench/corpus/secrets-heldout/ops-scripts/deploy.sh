#!/bin/sh
APIKEY=v0rJ4opzvoMViBhPpJnGI1pCE0xLHv3O
DBPASS=GtyNoz!aJsc_
ACMEKEY="7add4c1d9ef77725a7fb0b9803d0711b028b408a"
SLACK_WEBHOOK_URL=https://hooks.slack.com/services/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
GITHUB_TOKEN=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
NPM_TOKEN=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
DEPLOY_KEY_PATH=$HOME/.ssh/deploy_ed25519
TOKEN_FILE=/run/secrets/deploy_token
ADMIN_PASSWORD=$(cat /run/secrets/admin_password)
API_SECRET=$(vault kv get -field=secret kv/deploy)
GIT_COMMIT_SHA=ca7ac8cd41191df355f26c63cea5b3b1ebd1a1c8
IMAGE_DIGEST=sha256:46603d89c9be6da7244e32e5a5c6de7af4042e6c7e007b11877fbca80bc4f306
curl -s -u "$APIKEY:" https://api.acme.io/v1/deploys
