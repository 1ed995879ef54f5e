#!/usr/bin/env bash
# Installs what is missing, builds, and starts the server on its defaults:
# 127.0.0.1:32276, SQLite store in ./fabro-data. Extra args go to `serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
exec build/fabro-orchestrator serve "$@"
