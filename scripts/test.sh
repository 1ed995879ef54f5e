#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (unit, actor, e2e).
# SANITIZE=1 builds into build-asan with ASan+UBSan instead.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${SANITIZE:-0}" = 1 ]; then
  BUILD_DIR=build-asan scripts/build.sh -DFABRO_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
  cd build-asan
else
  scripts/build.sh
  cd build
fi
ctest --output-on-failure -j"${JOBS:-2}" --timeout 300
