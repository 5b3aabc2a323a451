#!/bin/sh
set -eu
export RESTIC_REPOSITORY="s3:https://s3.eu-central-1.wasabisys.com/acme-backups/db"
export RESTIC_PASSWORD='Saffron*1816Lmpnw'
export AWS_ACCESS_KEY_ID=AKIAPQC3SUJ5RU3JI7OZ
export AWS_SECRET_ACCESS_KEY=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
export BORG_PASSCOMMAND="cat /root/.borg-passphrase"
restic backup /var/lib/postgresql/dumps --tag nightly
