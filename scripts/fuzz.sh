#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ with clang++ (ASan + UBSan) and
# runs each for a bounded time. Not part of CMake; CI runs every target for
# FUZZ_SECONDS (.ci/run).
#
#   scripts/fuzz.sh                 # every target, 60 s each
#   FUZZ_SECONDS=300 scripts/fuzz.sh fuzz_workflow
#
# Corpora live in build-fuzz/corpus/<target> (seeded from the fixture
# workflows and from tests/fuzz/regressions/<target>/, inputs that once
# failed: they run first, every time); findings are written to
# build-fuzz/findings/. The mutation seed is fixed (FUZZ_SEED, default 1), so
# a run is repeatable on a given machine. Exit code is
# non-zero when a target finds a crash, hang or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${FUZZ_SECONDS:-60}"
JOBS="${FUZZ_JOBS:-1}"
OUT=build-fuzz
CXX="${CXX_FUZZ:-clang++}"
mkdir -p "$OUT/obj" "$OUT/findings"

FLAGS=(-std=c++17 -g -O1 -fno-omit-frame-pointer -I.
       -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
       -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1)
LIBS=(-lsimdjson -lre2 -ltomlplusplus -lcrypto -pthread)

# Model sources once, as objects shared by every target. An object is rebuilt
# when its source or any model header is newer (headers change layouts).
newest_header=$(ls -t model/*.hpp model/workflow/*.hpp model/engine/*.hpp | head -n 1)
objs=()
for src in model/*.cpp model/workflow/*.cpp model/engine/*.cpp; do
  obj="$OUT/obj/$(echo "$src" | tr / _).o"
  if [[ ! -f "$obj" || "$src" -nt "$obj" || "$newest_header" -nt "$obj" ]]; then
    echo "compile $src"
    "$CXX" "${FLAGS[@]}" -c "$src" -o "$obj"
  fi
  objs+=("$obj")
done

targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=(fuzz_workflow fuzz_manifest fuzz_framing)

status=0
for t in "${targets[@]}"; do
  echo "build $t"
  extra=()
  # The framing gate's parser: its one source and http_parser.
  [[ $t == fuzz_framing ]] && extra=(http/request_framer.cpp -lhttp_parser)
  "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer "tests/fuzz/$t.cpp" "${objs[@]}" "${extra[@]}" \
    "${LIBS[@]}" -o "$OUT/$t"
  corpus="$OUT/corpus/$t"
  mkdir -p "$corpus"
  if [[ -d tests/fuzz/regressions/$t ]]; then
    cp tests/fuzz/regressions/$t/* "$corpus"/
  fi
  if [[ $t == fuzz_workflow ]]; then
    cp -n tests/fixtures/workflows/*/*.fabro "$corpus"/ 2>/dev/null || true
  fi
  if [[ $t == fuzz_framing ]]; then
    printf '\x05GET /health HTTP/1.1\r\nHost: x\r\n\r\n' > "$corpus/seed_get"
    printf '\x02POST /r HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"\r\n0\r\n\r\nGET / HTTP/1.0\r\n\r\n' > "$corpus/seed_chunked"
    printf '\x07POST /r HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n{}' > "$corpus/seed_cl"
  fi
  if [[ $t == fuzz_manifest ]]; then
    # A seed manifest per fixture workflow.
    for f in tests/fixtures/workflows/valid/*.fabro; do
      seed="$corpus/seed_$(basename "$f" .fabro).json"
      [[ -f $seed ]] || python3 - "$f" > "$seed" <<'PY'
import json, sys
src = open(sys.argv[1]).read()
print(json.dumps({"version": 1, "cwd": "/tmp", "goal": {"type": "value", "text": "g"},
  "args": {"dry_run": True, "label": ["a=b"]},
  "target": {"identifier": "w", "path": "wf/w.fabro"},
  "configs": [{"type": "project", "path": "p.toml", "source": "[run.inputs]\nx = 1\n"}],
  "workflows": {"wf/w.fabro": {"source": src,
    "config": {"path": "wf/w.toml", "source": "[run]\ngoal = \"t\"\n[run.execution]\nmode = \"dry_run\"\n"},
    "files": {"wf/p.md": {"content": "{{ goal }}", "ref": {"type": "file_inline", "original": "@p.md"}}}}}}))
PY
    done
  fi
  echo "run $t for ${SECONDS_PER_TARGET}s"
  if ! UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      "$OUT/$t" "$corpus" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -seed="${FUZZ_SEED:-1}" \
      -rss_limit_mb=2048 -max_len=8192 -dict=tests/fuzz/fabro.dict -jobs="$JOBS" -workers="$JOBS" \
      -artifact_prefix="$OUT/findings/$t-" -print_final_stats=1 2>&1 | tail -n 25; then
    status=1
  fi
done
exit $status
