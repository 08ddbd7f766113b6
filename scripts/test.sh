#!/usr/bin/env bash
# Builds nsradar and runs every test:
#   1. Release build, warnings as errors, all tests (ctest);
#   2. ASan + UBSan build, every library's tests and the CLI tests;
#   3. each libFuzzer target for FUZZ_SECONDS (default 25) over its seed
#      corpus, built with clang; UBSan findings stop a fuzzer too.
# Installs its own dependencies first. Some tests start real resolvers
# (Unbound) on 127.0.0.0/8 port 53, so it runs as root, as CI does. Ends with
# one summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

JOBS=${JOBS:-$(nproc)}
FUZZ_SECONDS=${FUZZ_SECONDS:-25}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT

run_ctest() {  # build dir, extra ctest args...
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure -j "$JOBS" "$@" | tee -a "$LOG"
}

echo "== Release build and all tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNSRADAR_WERROR=ON >/dev/null
cmake --build build -j "$JOBS"
run_ctest build

echo "== ASan/UBSan: parsers, store and CLI"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSRADAR_SANITIZE=ON -DNSRADAR_WERROR=ON \
  -DNSRADAR_BENCH=OFF >/dev/null
cmake --build build-asan -j "$JOBS" --target util_test dns_test zone_test nsdb_test api_test ingest_test detect_test intel_test nsradar_cli_test nsradar
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build-asan -L 'util|dns|zone|nsdb|api|ingest|detect|intel|cli'

echo "== Fuzz targets, ${FUZZ_SECONDS}s each"
CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSRADAR_FUZZ=ON -DNSRADAR_BENCH=OFF \
  -DNSRADAR_WERROR=ON >/dev/null
cmake --build build-fuzz -j "$JOBS" --target zone_reader_fuzz nsdb_write_fuzz edge_value_fuzz api_request_fuzz dns_message_fuzz pcap_packet_fuzz pcapng_fuzz dnstap_frame_fuzz log_line_fuzz detect_fuzz indicator_file_fuzz pipeline_config_fuzz
fuzz_passed=0
for target in zone_reader_fuzz nsdb_write_fuzz edge_value_fuzz api_request_fuzz dns_message_fuzz pcap_packet_fuzz pcapng_fuzz dnstap_frame_fuzz log_line_fuzz detect_fuzz indicator_file_fuzz pipeline_config_fuzz; do
  corpus=$(mktemp -d)
  seeds=fuzz/corpus/${target%_fuzz}
  [[ -d $seeds ]] && cp "$seeds"/* "$corpus"/
  if ./build-fuzz/fuzz/$target -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 "$corpus" >"$corpus.log" 2>&1; then
    echo "$target: $(grep -m1 -o 'Done [0-9]* runs' "$corpus.log"), no failure"
    fuzz_passed=$((fuzz_passed + 1))
  else
    tail -n 40 "$corpus.log"
    echo "$target: FAILED (crash input kept in the current directory)"
    rm -rf "$corpus" "$corpus.log"
    exit 1
  fi
  rm -rf "$corpus" "$corpus.log"
done

total=$(grep -o 'tests failed out of [0-9]*' "$LOG" | awk '{s += $5} END {print s + 0}')
failed=$(grep -o '[0-9]* tests failed out of' "$LOG" | awk '{s += $1} END {print s + 0}')
echo "tests: $((total - failed + fuzz_passed)) passed, $failed failed"
[[ $failed -eq 0 ]]
