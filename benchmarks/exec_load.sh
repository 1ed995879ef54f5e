#!/usr/bin/env bash
# Create latency while runs execute (issue 4): runs the hidden Catch driver
# tests/actors/exec_load_bench.cpp from a build directory.
#   benchmarks/exec_load.sh [build-dir]     (default: build)
# EXEC_LOAD_RUNS (200) and EXEC_LOAD_STAGES (10) size the load.
set -euo pipefail
build="${1:-build}"
exec "$build/test_actors" "[.exec_load]"
