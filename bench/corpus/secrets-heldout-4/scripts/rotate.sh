#!/bin/bash
NEW_PASSWORD=$(openssl rand -base64 24)
aws rds modify-db-instance --db-instance-identifier shop --master-user-password "$NEW_PASSWORD"
psql "postgresql://admin:C5jSgRwvyLKmYDroqG24@db.internal/shop" -c "ALTER ROLE app PASSWORD 'D6ZDay8d6V6wnpLt'"
vault kv put secret/shop db_password="KV8Kv1Ib2gUGNbkSzx"
gh secret set DEPLOY_TOKEN --body "$DEPLOY_TOKEN"
