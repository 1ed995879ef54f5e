#!/usr/bin/env bash
# Installs the Debian 12 packages fabro-orchestrator builds and tests with.
# Skips apt entirely when everything is already there.
set -euo pipefail
packages=(g++ cmake ninja-build pkg-config ccache
  libcaf-dev libpistache-dev rapidjson-dev libssl-dev libsimdjson-dev
  libyaml-cpp-dev catch2 libsqlite3-dev libtomlplusplus-dev libre2-dev
  libcli11-dev libspdlog-dev curl libhttp-parser-dev
  libpq-dev  # the PostgreSQL store (store: postgresql://…): libpq with pipeline mode
  postgresql  # the PostgreSQL store tests start a private server (initdb, pg_ctl)
  libcurl4-openssl-dev  # outbound HTTP to LLM providers: libcurl's multi interface, TLS verified
  libgraphviz-dev  # workflow graphs rendered in process (cgraph + gvc), not by a `dot` per request
  libexpat1-dev  # the graph tests parse the server's SVGs as XML
  bubblewrap)  # bubblewrap: the sandbox command stages may run in (sandbox: bubblewrap)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
