#!/usr/bin/env bash
set -euo pipefail
CHANNEL="#releases"
curl -sS -X POST -H 'Content-type: application/json' \
  --data "{\"text\":\"released $1\"}" \
  https://hooks.slack.com/services/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
curl -sS -H 'Content-Type: application/json' -d "{\"content\":\"released $1\"}" \
  "https://discord.com/api/webhooks/1526018159083016613/Jot-UTBYQ31PGqI3MOcBYV7ruPPDnO_TF9e2M-aiIhvefFaywgFHgEF-JDDGL_KUST8"
# template for new teams: https://hooks.slack.com/services/TXXXXXXXX/BXXXXXXXX/XXXXXXXXXXXXXXXXXXXXXXXX
