#!/usr/bin/env bash
# Installs the Debian 12 packages nsradar builds, tests and benchmarks with.
# Idempotent: packages already present are skipped, so a second run costs a
# dpkg query and nothing else.
set -euo pipefail

# Build and library dependencies.
BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git curl ccache
  clang libclang-rt-14-dev clang-format
  librocksdb-dev zlib1g-dev libzstd-dev liblzma-dev liblz4-dev libsnappy-dev libbz2-dev
  libfmt-dev libspdlog-dev libcli11-dev libpsl-dev libidn2-dev publicsuffix
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libboost-url1.81-dev libssl-dev libsimdjson-dev libpcap-dev
)
# Peers the benchmarks compare against and tools the tests drive.
TOOL_PKGS=(
  knot-dnssecutils wrk tshark tcpdump unbound fstrm-bin bind9-dnsutils
  bind9 iodine dns2tcp iproute2 python3 zstd xz-utils pdns-recursor
)

want=("${BUILD_PKGS[@]}")
if [[ "${NSRADAR_SKIP_TOOLS:-0}" != 1 ]]; then
  want+=("${TOOL_PKGS[@]}")
fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
