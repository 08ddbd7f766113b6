#!/usr/bin/env bash
# Installs the Debian 12 packages nsradar needs.
#
#   install-deps.sh           what building and running nsradar needs, nothing else
#   install-deps.sh --tests   also the tools the tests drive: clang 16 (sanitizers,
#                             libFuzzer), BIND, Unbound, PowerDNS Recursor, iodine,
#                             dns2tcp, tcpdump, tshark, fstrm tools; for the package
#                             test lintian and promtool (prometheus, never started),
#                             zsh to parse the generated completion; ClickHouse
#                             (scripts/warehouse.sh starts its own processes)
#   install-deps.sh --bench   also the peers the benchmarks measure against (wrk,
#                             kzonecheck, hyperfine)
#
# Idempotent: packages already present are skipped, so a second run costs a
# dpkg query. The DNS servers the tests start are test tools only: while
# installing, a policy-rc.d keeps every package from starting its service,
# and the DNS services are disabled afterwards, so nothing listens on port 53
# or starts at the next boot because of this script.
set -euo pipefail

TESTS=0
BENCH=0
for arg in "$@"; do
  case $arg in
    --tests) TESTS=1 ;;
    --bench) BENCH=1 ;;
    *) echo "install-deps: unknown option $arg (expected --tests or --bench)" >&2; exit 2 ;;
  esac
done

# The web UI's browser tests (tests/ui) drive Debian's chromium with npm
# packages pinned in tests/ui/package-lock.json; installed after apt, below.
ui_test_packages() {
  ((TESTS)) || return 0
  # A nodejs that bundles npm (as Node's own packages do) needs no Debian npm.
  command -v npm >/dev/null || { $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; }
  [[ -d tests/ui/node_modules/playwright-core && -d tests/ui/node_modules/axe-core ]] ||
    (cd tests/ui && npm ci --no-audit --no-fund --loglevel=error)
}
cd "$(dirname "$0")/.."

# Building and running.
BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git ccache curl
  librocksdb-dev zlib1g-dev libzstd-dev liblz4-dev libsnappy-dev libbz2-dev liblzma-dev
  libfmt-dev libspdlog-dev libcli11-dev libpsl-dev libidn2-dev publicsuffix
  libgtest-dev libgmock-dev libbenchmark-dev
  libboost1.81-dev libboost-url1.81-dev libssl-dev libsimdjson-dev libpcap-dev
)
# What the tests drive: compilers for the sanitizer and fuzz builds, real DNS
# software, tunnels and capture tools.
TEST_PKGS=(
  clang-16 libclang-rt-16-dev clang-format
  unbound bind9 bind9-utils bind9-dnsutils pdns-recursor iodine dns2tcp
  tcpdump tshark fstrm-bin iproute2 util-linux python3 curl openssl zstd xz-utils
  chromium nodejs
  lintian prometheus fakeroot dpkg-dev zsh
  clickhouse-server clickhouse-client
)
# Peers measured in the same run as nsradar.
BENCH_PKGS=(knot-dnssecutils wrk hyperfine tshark)
# Services the packages above would start; they must not run.
SERVICES=(named bind9 unbound pdns-recursor iodined prometheus clickhouse-server)

want=("${BUILD_PKGS[@]}")
((TESTS)) && want+=("${TEST_PKGS[@]}")
((BENCH)) && want+=("${BENCH_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
if ((${#missing[@]} == 0)); then
  ui_test_packages
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive

# Keep every package from starting a service while it installs (exit 101:
# "action forbidden", the policy-rc.d(8) interface invoke-rc.d asks).
POLICY=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e $POLICY ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$POLICY" >/dev/null
  $SUDO chmod 755 "$POLICY"
  own_policy=1
fi
cleanup() { if ((own_policy)); then $SUDO rm -f "$POLICY"; fi; }
trap cleanup EXIT

$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null

# The packages enable their units for the next boot; the tests start these
# programs themselves, so nothing is left enabled.
if command -v systemctl >/dev/null; then
  for s in "${SERVICES[@]}"; do
    # Captured, not piped into grep -q: under pipefail its early exit can
    # SIGPIPE systemctl and skip the disable.
    if grep -q "^$s.service" <<<"$(systemctl list-unit-files "$s.service" 2>/dev/null)"; then
      $SUDO systemctl disable --now "$s.service" >/dev/null 2>&1 || true
    fi
  done
fi

ui_test_packages
