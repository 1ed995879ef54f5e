#!/usr/bin/env bash
# Installs build/ (or $BUILD_DIR) into a temporary prefix, then builds
# examples/embed out of tree against that prefix only (find_package) and
# runs it: it must exit 0 and print its command stage's output and its own
# review handler's verdict. What CI
# checks of the installed package (README "Embedding").
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BUILD_DIR:-build}
tmp=$(mktemp -d /tmp/fabro-embed-check.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$dir" --prefix "$tmp/prefix" >/dev/null
cmake -S examples/embed -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
if ! cmake --build "$tmp/build" >"$tmp/build.log" 2>&1; then
  echo "embed_check: examples/embed does not build against the installed package" >&2
  cat "$tmp/build.log" >&2
  exit 1
fi
# It must also end by itself: every actor stopped, the actor system torn
# down (a handle left alive would make that wait forever).
if ! out=$(timeout 120 "$tmp/build/embed_example" "$tmp/data"); then
  echo "embed_check: the example failed or did not end within 120 s" >&2
  echo "$out" >&2
  exit 1
fi
if ! grep -q "hello from an embedded run" <<<"$out" || ! grep -q "ended completed" <<<"$out" ||
   ! grep -q '"event":"review.read"' <<<"$out" ||
   ! grep -q "approved by the embedded reviewer" <<<"$out"; then
  echo "embed_check: the example did not complete its run" >&2
  echo "$out" >&2
  exit 1
fi
echo "embed_check: examples/embed built against the installed package and completed its run through its own review handler"
