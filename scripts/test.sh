#!/usr/bin/env bash
# Builds nsradar and runs every test, as CI does (.ci/run):
#   1. Release build (GCC), warnings as errors, every test: unit, CLI and the
#      integration harnesses that start real BIND, Unbound, PowerDNS
#      Recursor, iodine and dns2tcp in network namespaces;
#   2. one clang 16 build with ASan, UBSan and libFuzzer's coverage: every
#      library's tests and the CLI tests under the sanitizers, then each fuzz
#      target replays its committed corpus and fuzzes FUZZ_SECONDS more
#      (JOBS targets at a time);
#   3. ThreadSanitizer over the project's threaded code (the HTTP server, the
#      live pipeline, the dnstap socket, the prefetching source, the warehouse
#      writer), suppressions only for the
#      uninstrumented libraries (tests/tsan.supp).
# Long fuzzing and the soak runs are scripts/soak.sh, not this.
#
# Installs its own dependencies first (scripts/install-deps.sh --tests:
# the build's packages plus the resolvers and tunnel tools the harnesses
# start; no service is left running or enabled). Runs as root: the
# harnesses create network namespaces and tmpfs mounts. Ends with one
# summary line.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --tests

JOBS=${JOBS:-$(nproc)}
# ccache (CMakeLists.txt uses it when installed) keys on paths relative to
# this directory, so a fresh clone reuses what other checkouts on the same
# machine compiled with the same flags; a fresh machine starts empty. Builds
# with -g (the sanitizer stages) hit only in the same directory.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD}
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
LOG=$(mktemp)
trap 'rm -f "$LOG"' EXIT
SECONDS=0
stage() { echo "== [$((SECONDS / 60))m$((SECONDS % 60))s] $*"; }

run_ctest() {  # build dir, extra ctest args...
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure -j "$JOBS" "$@" | tee -a "$LOG"
}

stage "Release build and all tests"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DNSRADAR_WERROR=ON >/dev/null
cmake --build build -j "$JOBS"
run_ctest build

FUZZERS=(zone_reader_fuzz nsdb_write_fuzz edge_value_fuzz edge_block_fuzz api_request_fuzz dns_message_fuzz pcap_packet_fuzz
  pcapng_fuzz dnstap_frame_fuzz dnstap_handshake_fuzz log_line_fuzz detect_fuzz indicator_file_fuzz
  pipeline_config_fuzz http_transport_fuzz cookie_fuzz warehouse_endpoint_fuzz warehouse_spool_fuzz
  warehouse_evidence_fuzz warehouse_hunt_fuzz)
UNIT_TESTS=(util_test dns_test zone_test nsdb_test api_test ingest_test detect_test benign_corpus_test intel_test
  pipeline_test nsradar_cli_test nsradar warehouse_test evidence_tier_test warehouse_hunt_test)

stage "clang 16, ASan + UBSan: library and CLI tests"
CXX=clang++-16 cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSRADAR_FUZZ=ON \
  -DNSRADAR_BENCH=OFF -DNSRADAR_WERROR=ON >/dev/null
cmake --build build-fuzz -j "$JOBS" --target "${UNIT_TESTS[@]}" "${FUZZERS[@]}"
# The two kill -9 tests repeat whole ingests in child processes until a kill
# lands at each moment: 5 minutes under ASan for code paths the other nsdb
# tests already run under it. They run in the Release stage.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  run_ctest build-fuzz -L 'util|dns|zone|nsdb|api|ingest|detect|intel|pipeline|cli|warehouse' \
  -E '^(StoreTest.KillDuringIngestLosesNothingAndRerunCompletes|ChunkedIngest.KillDuringAChunkedIngestLeavesTheStoreBeforeOrAfter)$'

fuzz_one() {  # target: replays its committed corpus and fuzzes FUZZ_SECONDS more; prints its result, 0 if no failure
  local target=$1 corpus seeds failed=0
  corpus=$(mktemp -d)
  seeds=fuzz/corpus/${target%_fuzz}
  [[ -d $seeds ]] && cp "$seeds"/* "$corpus"/
  if ./build-fuzz/fuzz/"$target" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=2048 -max_len=8192 \
      -print_final_stats=1 "$corpus" >"$corpus.log" 2>&1; then
    echo "$target: $(grep -m1 -o 'Done [0-9]* runs' "$corpus.log"), no failure"
  else
    tail -n 40 "$corpus.log"
    echo "$target: FAILED (crash input kept in the current directory)"
    failed=1
  fi
  rm -rf "$corpus" "$corpus.log"
  return $failed
}

# JOBS targets at a time: each run is bounded by time, not work, so on 2
# cores two at once fuzz as long each and take half the wall time.
stage "Fuzz targets: corpus replay and ${FUZZ_SECONDS}s each, ${JOBS} at a time"
fuzz_results=$(mktemp -d)
for target in "${FUZZERS[@]}"; do
  while (($(jobs -rp | wc -l) >= JOBS)); do wait -n || true; done
  fuzz_one "$target" >"$fuzz_results/$target" 2>&1 &
done
wait
fuzz_passed=0
fuzz_failed=0
for target in "${FUZZERS[@]}"; do
  cat "$fuzz_results/$target"
  if grep -q "^$target: FAILED" "$fuzz_results/$target"; then fuzz_failed=$((fuzz_failed + 1)); else fuzz_passed=$((fuzz_passed + 1)); fi
done
rm -rf "$fuzz_results"
((fuzz_failed == 0)) || exit 1

stage "ThreadSanitizer: HTTP server, pipeline, dnstap socket, prefetching source, warehouse writer"
CXX=clang++-16 cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSRADAR_TSAN=ON \
  -DNSRADAR_BENCH=OFF -DNSRADAR_WERROR=ON >/dev/null
cmake --build build-tsan -j "$JOBS" --target api_test pipeline_test ingest_threads_test warehouse_test
tsan_failed=0
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/tests/tsan.supp"
for run in "api_test" "pipeline_test" "ingest_threads_test --gtest_filter=DnstapSocket*:FrameStream*:PrefetchingSource*" \
  "warehouse_test"; do
  # shellcheck disable=SC2086 # the filter is a word of its own
  if ./build-tsan/src/$run --gtest_brief=1; then echo "tsan $run: passed"; else echo "tsan $run: FAILED"; tsan_failed=$((tsan_failed + 1)); fi
done
unset TSAN_OPTIONS

stage "done"
total=$(grep -o 'tests failed out of [0-9]*' "$LOG" | awk '{s += $5} END {print s + 0}')
failed=$(grep -o '[0-9]* tests failed out of' "$LOG" | awk '{s += $1} END {print s + 0}')
failed=$((failed + tsan_failed))
echo "tests: $((total - failed + fuzz_passed + 4)) passed, $failed failed (ThreadSanitizer runs: 4), in $((SECONDS / 60)) min"
[[ $failed -eq 0 ]]
