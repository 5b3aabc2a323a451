#!/bin/sh
# Start, stop or show opskit's real test services: scripts/services.sh up|down|status [SERVICE ...]
# Use PYTHON=.venv/bin/python to also find moto_server from the virtualenv.
set -e
cd "$(dirname "$0")/.."
exec "${PYTHON:-python3}" -m tests.harness "$@"
