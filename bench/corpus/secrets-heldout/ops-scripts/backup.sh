#!/usr/bin/env bash
set -euo pipefail

export PGPASSWORD='hEOpv6Ra!Jhe#OU~'
export AWS_ACCESS_KEY_ID=AKIAROPCFV6OGK66ILCV
export AWS_SECRET_ACCESS_KEY=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
export BACKUP_BUCKET=s3://acme-backups/db
export DB_PASSWORD="${DB_PASSWORD:?set DB_PASSWORD}"

pg_dump -h db.internal -U backup shop | gzip > /tmp/shop.sql.gz
mysqldump -h legacy-db -u backup -p'rbM~tnr3bsh_n~' --single-transaction legacy > /tmp/legacy.sql
mysql -h 10.0.4.2 -uroot -pCI0NVBKQ9NGquh -e 'FLUSH LOGS'
mysql -h 10.0.4.2 -u root -p"$MYSQL_ROOT_PASSWORD" -e 'SHOW DATABASES'
aws s3 cp /tmp/shop.sql.gz "$BACKUP_BUCKET/$(date +%F).sql.gz"
curl -fsS -u backup-bot:cR5BvxIKmVHwDzTNDg43 -X POST https://hc.acme.io/ping/backup
curl -fsS -H "Authorization: Bearer PiNaMURB2APowdJFoRmzAAIokI3IFmpdzLVsJYrY" https://status.acme.io/api/v1/incidents
curl -s -H "Authorization: Bearer ${STATUS_TOKEN}" https://status.acme.io/api/v1/components
curl -s -H "x-api-key: 00418819ccb5c7c33f24968e9cd0ff22" https://api.acme.io/v1/notify
sshpass -p 'Bos3iczc0CJa' rsync -a /tmp/legacy.sql backup@archive:/srv/
echo "$REGISTRY_PASSWORD" | docker login registry.acme.io -u ci --password-stdin
docker login -u deploy -p VasYEewT5PppE12SaQam2fVC registry.acme.io
