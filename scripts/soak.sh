#!/usr/bin/env bash
# The long-running checks that stay out of CI (scripts/test.sh runs the
# short ones). docs/benchmarks.md ("Soak") records their figures.
#
#   scripts/soak.sh dnstap-load [--senders 64] [--minutes 10] [--transactions 100000] [--out DIR]
#       SENDERS real fstrm_replay processes (Debian's fstrm-bin) stream a
#       dnstap file made by bench/ingest_bench --generate-only, each in a
#       loop (every pass is a new connection and handshake) until MINUTES
#       are up, into one `nsradar serve --config` whose input is
#       dnstap-socket:PATH. Passes running at the end are let finish (at
#       most --drain-seconds, 300), so every frame sent can be accounted
#       for. Every 10 s: the server's RSS and CPU and its /metrics
#       (nsradar_input_*, nsradar_detector_domains, nsradar_alerts_*) into
#       samples.tsv. Prints events/s, RSS first/max/last with the growth
#       after the first minute, every skip by reason, and the senders' own
#       view (passes, exit codes, what fstrm_replay printed).
#
#   scripts/soak.sh api-connections [--connections 10000] [--seconds 60] [--out DIR]
#       bench/http_flood holds CONNECTIONS open against `nsradar serve`
#       (silent, trickle and keepalive modes; see bench/http_flood.cc) while
#       a second http_flood process probes /healthz every 250 ms on fresh
#       connections. Scenarios: the server's default max_connections (1024)
#       and --max-connections 20000, each mode; plus the two set-ups of the
#       review before the fixes: 1,024 silent connections, and 1,100 silent
#       connections against a server under `prlimit --nofile=1024:1024`.
#       Per scenario: probes answered, their p50/p99, the server's
#       nsradar_http_rejected_total by reason, its RSS and CPU. results.tsv.
#
#   scripts/soak.sh fuzz [--hours 1 | --minutes M] [--jobs 1] [--targets a_fuzz,b_fuzz] [--work DIR]
#       Every target of fuzz/CMakeLists.txt (or --targets) for HOURS (or M
#       minutes) each, one target after the other,
#       JOBS processes sharing one corpus, starting from
#       fuzz/corpus/<target minus _fuzz> and growing a copy of it in the
#       work dir (kept; a crash restarts the fuzzer for the time left, its
#       input kept under findings/). Afterwards `-merge=1` adds to
#       fuzz/corpus/<name>/ only the grown inputs (at most 8 KiB) that reach
#       a coverage edge that nothing there reaches: the committed corpora grow with real
#       coverage and keep every seed. results.tsv: target, seconds,
#       executions, final cov and ft, corpus files before/after, the edges
#       the merge added, findings (crash, leak, timeout and oom inputs),
#       executions per second, the fuzzer's peak RSS and the grown corpus.
#       The full campaign of issue 11 is `scripts/soak.sh fuzz --hours 1`
#       (14 targets: 14 hours with one job).
#
# Builds what it needs in $SOAK_BUILD (default build-soak; the fuzzers in
# $SOAK_FUZZ_BUILD, default build-fuzz) and installs its packages with
# scripts/install-deps.sh --tests --bench. SOAK_NO_BUILD=1 instead uses the
# binaries already there (installs and builds nothing; a missing one is an
# error), e.g. SOAK_BUILD=build for the Release build of scripts/test.sh.
# Every process it starts is
# stopped at exit; temporary files live in a mktemp dir that is removed;
# servers listen on 127.0.0.1 only. Results go to --out (default
# $SOAK_BUILD/soak/MODE-DATE).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${SOAK_BUILD:-build-soak}
FUZZ_BUILD=${SOAK_FUZZ_BUILD:-build-fuzz}
KEY=at_soaksoaksoaksoaksoaksoak12345
CLK_TCK=$(getconf CLK_TCK)

WORK=$(mktemp -d /tmp/nsradar-soak.XXXXXX)
PIDS=()         # every process started in the background, stopped at exit
CHILD_FILES=()  # files naming the current child of a loop, in case the loop dies first

log() { echo "soak: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# Stops one process: TERM, then KILL after `grace` seconds.
stop_pid() {
  local pid=$1 grace=${2:-15} i
  forget "$pid"
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# A process that ended and was waited for leaves PIDS, so that its number,
# free for reuse, is never signalled.
forget() {
  local keep=() p
  for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done
  PIDS=("${keep[@]}")
}

# shellcheck disable=SC2317 # a trap handler
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  local pid
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do stop_pid "$pid" 10; done
  # A loop killed before it could stop its child leaves the child's pid
  # behind; stop it only if it is still the program the loop ran.
  for f in "${CHILD_FILES[@]}"; do
    [[ -s $f ]] || continue
    read -r pid prog <"$f" || continue
    if [[ -n ${pid:-} && $(cat "/proc/$pid/comm" 2>/dev/null) == "${prog:0:15}" ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

build() {  # targets...
  if [[ -n ${SOAK_NO_BUILD:-} ]]; then
    local t
    for t in "$@"; do
      [[ -x $BUILD/tools/$t || -x $BUILD/bench/$t ]] || die "SOAK_NO_BUILD: no $t in $BUILD/tools or $BUILD/bench"
    done
    return 0
  fi
  bash scripts/install-deps.sh --tests --bench
  if [[ ! -f $BUILD/build.ninja ]]; then
    cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNSRADAR_WERROR=ON >/dev/null
  fi
  ninja -C "$BUILD" "$@" >&2
}

# The server's resident set (kB) and CPU time (clock ticks).
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
cpu_ticks() {
  local -a st
  read -r -a st <"/proc/$1/stat" 2>/dev/null || {
    echo 0
    return
  }
  echo $((st[13] + st[14]))
}

# Busy and total clock ticks of the whole machine (every core).
machine_ticks() { awk '$1 == "cpu" {print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat; }

metrics() { curl -s --max-time 10 "http://127.0.0.1:$1/metrics" || true; }
# Sum of a metric's samples (every label set).
metric_sum() { awk -v m="$2" '$1 == m || index($1, m "{") == 1 {s += $NF} END {printf "%d", s}' <<<"$1"; }
# reason=value,reason=value of a labelled counter.
metric_by_reason() {
  sed -n "s/^$2{.*reason=\"\([^\"]*\)\"} \([0-9.e+]*\)\$/\1=\2/p" <<<"$1" | sort | paste -sd, -
}

# Starts `nsradar serve --config CONF [ARGS]` (behind PREFIX, e.g. prlimit)
# and waits for its API; sets SERVER_PID and SERVER_PORT.
start_server() {  # conf, log, stdout, prefix..., --, args...
  local conf=$1 logf=$2 out=$3
  shift 3
  local prefix=()
  while [[ $1 != -- ]]; do
    prefix+=("$1")
    shift
  done
  shift
  "${prefix[@]}" "$BUILD/tools/nsradar" serve --config "$conf" "$@" >"$out" 2>>"$logf" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_PORT=
  for _ in $(seq 300); do
    SERVER_PORT=$(grep -o 'API on port [0-9]*' "$logf" | tail -n1 | awk '{print $4}' || true)
    [[ -n $SERVER_PORT ]] && curl -sf --max-time 2 "http://127.0.0.1:$SERVER_PORT/healthz" >/dev/null && return 0
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$logf" >&2
  die "the server did not come up"
}

stop_server() { stop_pid "$SERVER_PID" 30; }

write_config() {  # file, store, log, extra lines...
  local f=$1 store=$2 logf=$3
  shift 3
  echo "$KEY" >"$WORK/keys"
  {
    echo "store = $store"
    echo "listen = 127.0.0.1:0"
    echo "api_keys = $WORK/keys"
    echo "log_file = $logf"
    printf '%s\n' "$@"
  } >"$f"
}

# ---------------------------------------------------------------------------
# dnstap-load

# One sender: fstrm_replay over the file again and again until $WORK/stop
# exists; one line per pass in $WORK/senders/N.runs (start, end, exit code,
# or "killed" for a pass stopped by TERM).
sender_loop() {
  local i=$1 sock=$2 file=$3 child='' t0='' rc
  local runs=$WORK/senders/$i.runs err=$WORK/senders/$i.err childf=$WORK/senders/$i.child
  trap sender_stop TERM
  while [[ ! -e $WORK/stop ]]; do
    t0=$(date +%s.%N)
    fstrm_replay -t protobuf:dnstap.Dnstap -u "$sock" -r "$file" 2>>"$err" &
    child=$!
    echo "$child fstrm_replay" >"$childf"
    rc=0
    wait "$child" || rc=$?
    child=''
    : >"$childf"
    printf '%s\t%s\t%s\n' "$t0" "$(date +%s.%N)" "$rc" >>"$runs"
    # A pass that failed at once (no socket, refused) must not spin.
    if [[ $rc != 0 ]]; then sleep 1; fi
  done
}

# sender_loop's TERM trap; sees its locals.
# shellcheck disable=SC2317
sender_stop() {
  if [[ -n $child ]]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
    printf '%s\t%s\t%s\n' "$t0" "$(date +%s.%N)" killed >>"$runs"
    : >"$childf"
  fi
  exit 0
}

dnstap_load() {
  local senders=64 minutes=10 transactions=100000 drain=300 out=''
  while (($#)); do
    case $1 in
      --senders) senders=$2 ;;
      --minutes) minutes=$2 ;;
      --transactions) transactions=$2 ;;
      --drain-seconds) drain=$2 ;;
      --out) out=$2 ;;
      *) die "dnstap-load: unknown option $1" ;;
    esac
    shift 2
  done
  out=${out:-$BUILD/soak/dnstap-load-$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$out"
  build nsradar ingest_bench

  log "generating $transactions transactions of dnstap"
  "$BUILD/bench/ingest_bench" --generate-only --transactions "$transactions" --dir "$WORK/data" >"$WORK/generated"
  local file bytes frames
  file=$(awk -F'\t' '$1 ~ /\.dnstap$/ {print $1}' "$WORK/generated")
  bytes=$(stat -c %s "$file")
  frames=$((2 * transactions))  # a client query and its response per transaction
  rm -f "$WORK/data"/*.pcap "$WORK/data"/*.zeek.log

  local sock=$WORK/dnstap.sock logf=$out/serve.log
  write_config "$WORK/nsradar.conf" "$WORK/store" "$logf" "input = dnstap-socket:$sock" \
    "alerts_out = $WORK/alerts.jsonl"
  start_server "$WORK/nsradar.conf" "$logf" "$WORK/serve.stdout" --
  local port=$SERVER_PORT server=$SERVER_PID
  for _ in $(seq 100); do
    [[ -S $sock ]] && break
    sleep 0.1
  done
  [[ -S $sock ]] || die "no dnstap socket at $sock"
  log "server $server on port $port; $senders senders for $minutes min over $file ($frames frames, $bytes bytes)"

  mkdir -p "$WORK/senders"
  local sender_pids=()
  for i in $(seq "$senders"); do
    sender_loop "$i" "$sock" "$file" &
    sender_pids+=("$!")
    PIDS+=("$!")
    CHILD_FILES+=("$WORK/senders/$i.child")
  done

  local tsv=$out/samples.tsv
  printf 't_s\trss_kb\tcpu_pct\tmachine_busy_pct\tload1\trecords\tevents\tskipped\tskipped_by_reason\tdetector_domains\talerts_total\talerts_pending\talerts_dropped\tpasses_done\n' >"$tsv"
  local start end now t m last_ticks ticks last_t=0 phase=load
  start=$(date +%s.%N)
  end=$(awk -v s="$start" -v m="$minutes" 'BEGIN {printf "%.3f", s + m * 60}')
  last_ticks=$(cpu_ticks "$server")
  local mbusy mtotal last_mbusy last_mtotal
  read -r last_mbusy last_mtotal < <(machine_ticks)
  local next=0 drain_end='' stable=0 last_records=-1
  while :; do
    next=$((next + 10))
    now=$(date +%s.%N)
    sleep "$(awk -v s="$start" -v n="$next" -v now="$now" 'BEGIN {d = s + n - now; printf "%.3f", (d > 0 ? d : 0)}')"
    kill -0 "$server" 2>/dev/null || die "the server died; see $logf"
    t=$next
    m=$(metrics "$port")
    ticks=$(cpu_ticks "$server")
    read -r mbusy mtotal < <(machine_ticks)
    local records events
    records=$(metric_sum "$m" nsradar_input_records_total)
    events=$(metric_sum "$m" nsradar_input_events_total)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$(rss_kb "$server")" \
      "$(awk -v d=$((ticks - last_ticks)) -v dt=$((t - last_t)) -v hz="$CLK_TCK" 'BEGIN {printf "%.0f", 100 * d / hz / dt}')" \
      "$(awk -v b=$((mbusy - last_mbusy)) -v a=$((mtotal - last_mtotal)) 'BEGIN {printf "%.0f", a ? 100 * b / a : 0}')" \
      "$(cut -d' ' -f1 /proc/loadavg)" "$records" "$events" "$(metric_sum "$m" nsradar_input_skipped_total)" \
      "$(metric_by_reason "$m" nsradar_input_skipped_total)" "$(metric_sum "$m" nsradar_detector_domains)" \
      "$(metric_sum "$m" nsradar_alerts_total)" "$(metric_sum "$m" nsradar_alerts_pending)" \
      "$(metric_sum "$m" nsradar_alerts_dropped_total)" "$(cat "$WORK"/senders/*.runs 2>/dev/null | wc -l)" >>"$tsv"
    last_ticks=$ticks
    last_mbusy=$mbusy
    last_mtotal=$mtotal
    last_t=$t
    if [[ $phase == load ]] && awk -v e="$end" -v now="$(date +%s.%N)" 'BEGIN {exit !(now >= e - 0.5)}'; then
      # Time is up: no new passes; the running ones finish.
      touch "$WORK/stop"
      echo "$t" >"$WORK/load_end"
      phase=drain
      drain_end=$((t + drain))
      log "load phase over at ${t}s; letting running passes finish (at most ${drain}s)"
    fi
    if [[ $phase == drain ]]; then
      local alive=0 pid
      for pid in "${sender_pids[@]}"; do ! kill -0 "$pid" 2>/dev/null || alive=$((alive + 1)); done
      if ((alive == 0)) || ((t >= drain_end)); then
        ((alive == 0)) || log "drain limit reached: stopping $alive senders mid-pass"
        for pid in "${sender_pids[@]}"; do stop_pid "$pid" 10; done
        phase=settle
      fi
    elif [[ $phase == settle ]]; then
      # The server has read everything once its frame count stops moving.
      if [[ $records == "$last_records" ]]; then stable=$((stable + 1)); else stable=0; fi
      ((stable >= 1)) && break
    fi
    last_records=$records
  done
  local final_metrics
  final_metrics=$(metrics "$port")
  echo "$final_metrics" >"$out/metrics-final.txt"
  stop_server
  cp "$WORK/alerts.jsonl" "$out/" 2>/dev/null || true
  cat "$WORK"/senders/*.runs >"$out/sender-passes.tsv" 2>/dev/null || true
  cat "$WORK"/senders/*.err 2>/dev/null | sort | uniq -c | sort -rn >"$out/sender-stderr.txt" || true

  summarize_dnstap "$out" "$senders" "$minutes" "$transactions" "$frames" "$bytes" "$(cat "$WORK/load_end")" \
    "$final_metrics" | tee "$out/summary.txt"
}

summarize_dnstap() {
  local out=$1 senders=$2 minutes=$3 transactions=$4 frames=$5 bytes=$6 load_end=$7 m=$8
  local tsv=$out/samples.tsv passes=$out/sender-passes.tsv
  echo "dnstap-load: $senders fstrm_replay senders, $minutes min, file of $transactions transactions ($frames frames, $((bytes / 1000000)) MB)"
  awk -F'\t' -v end="$load_end" 'NR > 1 && $1 <= end {t = $1; r = $6; e = $7}
    END {printf "load phase (%d s): %d frames, %d events: %.0f frames/s, %.0f events/s overall\n", t, r, e, r / t, e / t}' "$tsv"
  awk -F'\t' -v end="$load_end" -v cores="$(nproc)" 'NR > 1 && $1 <= end {s += $3; n++; if ($3 > mx) mx = $3; mb += $4; l += $5}
    END {printf "server CPU during the load: mean %.0f%%, max %.0f%% of one core; the whole machine %.0f%% busy (all %d cores), load average %.1f\n",
           s / n, mx, mb / n, cores, l / n}' "$tsv"
  awk -F'\t' 'NR == 2 {first = $2; ft = $1} NR > 1 {if ($2 > max) {max = $2; mt = $1}; last = $2; lt = $1
      if ($1 >= 60 && !m1) {m1 = $2; m1t = $1}; if ($1 >= 60 && $2 > max60) max60 = $2}
    END {printf "RSS: first %d kB (%d s), max %d kB (%d s), last %d kB (%d s)\n", first, ft, max, mt, last, lt
         if (!m1) {print "RSS after the first minute: n/a (the run was shorter)"; exit}
         printf "RSS after the first minute: %d kB at %d s -> %d kB at %d s (%+d kB, %+.2f%%); max after 60 s %d kB (%+.2f%%)\n",
           m1, m1t, last, lt, last - m1, 100 * (last - m1) / m1, max60, 100 * (max60 - m1) / m1}' "$tsv"
  # The exact totals: the input's summary line when it stopped (/metrics
  # copies the counters every 4,096 events, so its last figures lag).
  local final records events skipped
  final=$(grep -o 'info input: dnstap-socket:.*' "$out/serve.log" | tail -n1)
  records=$(sed -n 's/.* \([0-9]*\) events from \([0-9]*\) records.*/\2/p' <<<"$final")
  events=$(sed -n 's/.* \([0-9]*\) events from \([0-9]*\) records.*/\1/p' <<<"$final")
  skipped=$(sed -n 's/.*; skipped: \([^;]*\).*/\1/p' <<<"$final")
  echo "in all, as the input's last log line says: ${records:-?} frames read, ${events:-?} events" \
    "(last /metrics: $(metric_sum "$m" nsradar_input_records_total) frames, $(metric_sum "$m" nsradar_input_events_total) events)"
  echo "skipped or dropped, by reason: ${skipped:-none}" \
    "(last /metrics: $(metric_by_reason "$m" nsradar_input_skipped_total | tr ',' ' ')$(grep -q '^nsradar_input_skipped_total' <<<"$m" || echo none))"
  echo "detector domains: $(metric_sum "$m" nsradar_detector_domains); alerts: $(metric_sum "$m" nsradar_alerts_total)" \
    "($(grep '^nsradar_alerts_total' <<<"$m" | sed 's/nsradar_alerts_total{category="\([^"]*\)"} /\1=/' | paste -sd' ' -));" \
    "pending $(metric_sum "$m" nsradar_alerts_pending), dropped $(metric_sum "$m" nsradar_alerts_dropped_total)," \
    "store failures $(metric_sum "$m" nsradar_alert_store_failures_total), file failures $(metric_sum "$m" nsradar_alert_file_failures_total)"
  awk -F'\t' -v frames="$frames" -v got="${records:-0}" '
    {n[$3]++} $3 == "0" {done++} $3 == "killed" {killed++}
    END {printf "senders: %d passes (connections with their handshake), %d complete", NR, done
         for (k in n) if (k != "0") printf ", %d %s", n[k], (k == "killed" ? "killed mid-pass" : "exit " k)
         printf "\nframes: sent by complete passes %d, read by nsradar %d", done * frames, got
         if (killed == 0) printf " (difference %+d)\n", got - done * frames
         else printf " (killed passes sent part of a file)\n"}' "$passes"
  if [[ -s $out/sender-stderr.txt ]]; then
    echo "what fstrm_replay printed (count, line):"
    sed 's/^/  /' "$out/sender-stderr.txt"
  else
    echo "fstrm_replay printed nothing (it reports only errors)"
  fi
  echo "samples: $tsv"
}

# ---------------------------------------------------------------------------
# api-connections

# One scenario: a fresh server, the flood, the probe; one line of results.
api_scenario() {  # name, mode, connections, seconds, prefix..., --, server args...
  local name=$1 mode=$2 conns=$3 seconds=$4
  shift 4
  local prefix=()
  while [[ $1 != -- ]]; do
    prefix+=("$1")
    shift
  done
  shift
  local dir=$OUT/$name logf i j
  mkdir -p "$dir"
  logf=$dir/serve.log
  write_config "$WORK/$name.conf" "$WORK/store" "$logf"
  start_server "$WORK/$name.conf" "$logf" "$dir/serve.stdout" "${prefix[@]}" -- "$@"
  local server=$SERVER_PID port=$SERVER_PORT max asked
  asked=1024
  for ((i = 1; i <= $#; i++)); do [[ ${!i} == --max-connections ]] && { j=$((i + 1)); asked=${!j}; }; done
  max=$(grep -o 'allowed=[0-9]*' "$logf" | tail -n1 | cut -d= -f2 || true)
  max=${max:-$asked}
  local nofile
  nofile=$(awk '/^Max open files/ {print $4 "/" $5}' "/proc/$server/limits")
  log "$name: server $server (max_connections $asked -> $max, nofile $nofile), $conns $mode connections, ${seconds}s"

  local ramp=5 rss_start
  rss_start=$(rss_kb "$server")
  "$BUILD/bench/http_flood" --port "$port" --mode "$mode" --connections "$conns" --seconds $((seconds + ramp + 2)) \
    --report "$dir/flood.txt" >/dev/null 2>"$dir/flood.log" &
  local flood=$!
  PIDS+=("$flood")
  sleep "$ramp"
  local ticks0 t0
  "$BUILD/bench/http_flood" --port "$port" --mode probe --interval-ms 250 --timeout-ms 5000 --seconds "$seconds" \
    --out "$dir/probes.tsv" --report "$dir/probe.txt" >/dev/null 2>"$dir/probe.log" &
  local probe=$!
  PIDS+=("$probe")
  # The server's RSS, CPU and descriptors each second while the probe runs.
  printf 't_s\trss_kb\tcpu_pct\tfds\tload1\n' >"$dir/server.tsv"
  ticks0=$(cpu_ticks "$server")
  t0=$(date +%s.%N)
  local last=$ticks0 lt=$t0
  while kill -0 "$probe" 2>/dev/null; do
    sleep 1
    local tk tn
    tk=$(cpu_ticks "$server")
    tn=$(date +%s.%N)
    printf '%s\t%s\t%s\t%s\t%s\n' "$(awk -v a="$tn" -v b="$t0" 'BEGIN {printf "%.1f", a - b}')" "$(rss_kb "$server")" \
      "$(awk -v d=$((tk - last)) -v dt="$(awk -v a="$tn" -v b="$lt" 'BEGIN {print a - b}')" -v hz="$CLK_TCK" \
        'BEGIN {printf "%.0f", 100 * d / hz / dt}')" "$(find "/proc/$server/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" \
      "$(cut -d' ' -f1 /proc/loadavg)" >>"$dir/server.tsv"
    last=$tk
    lt=$tn
  done
  wait "$probe" || true
  forget "$probe"
  stop_pid "$flood" 15
  local m
  m=$(metrics "$port")
  echo "$m" >"$dir/metrics.txt"
  stop_server
  kill -0 "$server" 2>/dev/null && log "$name: server still running?"

  # One results line.
  kv() { awk -v k="$2" '$1 == k {print $2; f = 1} END {if (!f) print 0}' "$1"; }
  local probes ok p50 p99 pmax failures
  probes=$(kv "$dir/probe.txt" probes)
  ok=$(kv "$dir/probe.txt" probes_ok)
  p50=$(kv "$dir/probe.txt" ok_p50_ms)
  p99=$(kv "$dir/probe.txt" ok_p99_ms)
  pmax=$(kv "$dir/probe.txt" ok_max_ms)
  failures=$(awk '$1 ~ /^outcome_/ && $1 != "outcome_ok" {sub(/^outcome_/, "", $1); printf "%s%s=%s", sep, $1, $2; sep = ","}' "$dir/probe.txt")
  local rejected cpu
  rejected=$(metric_by_reason "$m" nsradar_http_rejected_total)
  cpu=$(awk -F'\t' 'NR > 1 {s += $3; n++; if ($3 > mx) mx = $3; l += $5} END {printf "%.0f\t%.0f\t%.1f", s / n, mx, l / n}' "$dir/server.tsv")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
    "$name" "$mode" "$conns" "$nofile" "$asked" "$max" "$probes" "$ok" "${failures:--}" "$p50" "$p99" "$pmax" \
    "${rejected:--}" "$(kv "$dir/flood.txt" connected)" "$(kv "$dir/flood.txt" open_mean_after_5s)" \
    "$(kv "$dir/flood.txt" lifetime_p50_ms)" "$rss_start" \
    "$(awk -F'\t' 'NR > 1 && $2 > mx {mx = $2} END {print mx + 0}' "$dir/server.tsv")" "$cpu" >>"$OUT/results.tsv"
}

api_connections() {
  local conns=10000 seconds=60 out=''
  while (($#)); do
    case $1 in
      --connections) conns=$2 ;;
      --seconds) seconds=$2 ;;
      --out) out=$2 ;;
      *) die "api-connections: unknown option $1" ;;
    esac
    shift 2
  done
  OUT=${out:-$BUILD/soak/api-connections-$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$OUT"
  build nsradar http_flood
  printf 'scenario\tmode\tflood_connections\tserver_nofile\tmax_connections_asked\tmax_connections\tprobes\tprobes_ok\tprobe_failures\tok_p50_ms\tok_p99_ms\tok_max_ms\trejected_by_reason\tflood_connects\tflood_open_mean\tflood_conn_lifetime_p50_ms\trss_start_kb\trss_max_kb\tcpu_mean_pct\tcpu_max_pct\tload1_mean\n' >"$OUT/results.tsv"
  # The review's set-ups before the fixes first, then each mode at both limits.
  api_scenario review-silent-1024 silent 1024 "$seconds" --
  api_scenario review-silent-1100-nofile1024 silent 1100 "$seconds" prlimit --nofile=1024:1024 --
  for mode in silent trickle keepalive; do
    api_scenario "$mode-$conns-default" "$mode" "$conns" "$seconds" --
    api_scenario "$mode-$conns-max20000" "$mode" "$conns" "$seconds" -- --max-connections 20000
  done
  column -t -s $'\t' "$OUT/results.tsv"
  log "results: $OUT/results.tsv (per scenario: probes.tsv, flood.txt, server.tsv, metrics.txt)"
}

# ---------------------------------------------------------------------------
# fuzz

# One fuzzing process for `seconds`, restarted for the time left after a
# finding (at most 20 times); logs in DIR/logs.
fuzz_job() {  # binary, corpus, findings, logs, job, seconds
  local bin=$1 corpus=$2 findings=$3 logs=$4 job=$5 seconds=$6 child=''
  trap fuzz_job_stop TERM
  local deadline=$((SECONDS + seconds)) run=0
  while ((SECONDS < deadline && run < 20)); do
    run=$((run + 1))
    "$bin" -max_total_time=$((deadline - SECONDS)) -rss_limit_mb=2048 -max_len=8192 -timeout=60 \
      -print_final_stats=1 -artifact_prefix="$findings/" "$corpus" >"$logs/job$job.run$run.log" 2>&1 &
    child=$!
    echo "$child ${bin##*/}" >"$logs/job$job.child"
    wait "$child" || true
    child=''
    : >"$logs/job$job.child"
  done
}

# fuzz_job's TERM trap; sees its locals.
# shellcheck disable=SC2317
fuzz_job_stop() {
  if [[ -n $child ]]; then
    kill -TERM "$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
  exit 0
}

fuzz() {
  local hours=1 jobs=1 targets='' work=''
  while (($#)); do
    case $1 in
      --hours) hours=$2 ;;
      --minutes) hours=$(awk -v m="$2" 'BEGIN {printf "%.6f", m / 60}') ;;
      --jobs) jobs=$2 ;;
      --targets) targets=$2 ;;
      --work) work=$2 ;;
      *) die "fuzz: unknown option $1" ;;
    esac
    shift 2
  done
  local all
  all=$(sed -n 's/^nsradar_fuzzer(\([a-z0-9_]*\) .*/\1/p' fuzz/CMakeLists.txt)
  [[ -z $targets ]] && targets=$(echo "$all" | paste -sd, -)
  IFS=, read -r -a list <<<"$targets"
  for t in "${list[@]}"; do grep -qx "$t" <<<"$all" || die "fuzz: $t is not in fuzz/CMakeLists.txt"; done
  local seconds
  seconds=$(awk -v h="$hours" 'BEGIN {printf "%d", h * 3600 + 0.5}')
  ((seconds > 0)) || die "fuzz: --hours $hours is less than a second"
  work=${work:-$FUZZ_BUILD/soak-fuzz-$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$work"
  work=$(cd "$work" && pwd)

  if [[ -n ${SOAK_NO_BUILD:-} ]]; then
    for t in "${list[@]}"; do [[ -x $FUZZ_BUILD/fuzz/$t ]] || die "SOAK_NO_BUILD: no $FUZZ_BUILD/fuzz/$t"; done
  else
    bash scripts/install-deps.sh --tests
    if [[ ! -f $FUZZ_BUILD/build.ninja ]]; then
      CXX=clang++-16 cmake -S . -B "$FUZZ_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DNSRADAR_FUZZ=ON \
        -DNSRADAR_BENCH=OFF -DNSRADAR_WERROR=ON >/dev/null
    fi
    ninja -C "$FUZZ_BUILD" "${list[@]}" >&2
  fi

  local results=$work/results.tsv
  printf 'target\tseconds\texecutions\texec_per_s\tcov\tft\tpeak_rss_mb\tgrown_corpus\tcorpus_before\tcorpus_after\tnew_edges\tfindings\n' >"$results"
  for t in "${list[@]}"; do
    local name=${t%_fuzz} dir=$work/$t
    local seeds=fuzz/corpus/$name corpus=$dir/corpus findings=$dir/findings logs=$dir/logs
    mkdir -p "$corpus" "$findings" "$logs" "$seeds"
    rm -f "$logs"/*.log "$logs"/*.child  # of an earlier campaign in the same work dir
    cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true
    local before
    before=$(find "$seeds" -maxdepth 1 -type f | wc -l)
    log "$t: ${seconds}s x $jobs jobs from $before seeds; work dir $dir"
    local started=$SECONDS job_pids=() p
    for j in $(seq "$jobs"); do
      fuzz_job "$ROOT/$FUZZ_BUILD/fuzz/$t" "$corpus" "$findings" "$logs" "$j" "$seconds" &
      job_pids+=("$!")
      PIDS+=("$!")
      CHILD_FILES+=("$logs/job$j.child")
    done
    for p in "${job_pids[@]}"; do
      wait "$p" || true
      forget "$p"
    done
    local took=$((SECONDS - started))
    # Executions summed over every run; cov and ft as the last status line
    # of each job says, the highest of the jobs.
    local execs cov ft rss grown
    execs=$(cat "$logs"/job*.log | awk '$1 == "stat::number_of_executed_units:" {s += $2} END {printf "%d", s}')
    rss=$(cat "$logs"/job*.log | awk '$1 == "stat::peak_rss_mb:" && $2 > m {m = $2} END {printf "%d", m}')
    grown=$(find "$corpus" -maxdepth 1 -type f | wc -l)
    read -r cov ft < <(for j in $(seq "$jobs"); do
      for r in $(seq 20); do
        if [[ -f $logs/job$j.run$r.log ]]; then grep -o 'cov: [0-9]* ft: [0-9]*' "$logs/job$j.run$r.log" || true; fi
      done | tail -n1
    done | awk '{if ($2 > c) c = $2; if ($4 > f) f = $4} END {print c + 0, f + 0}')
    # Only small grown inputs are candidates for the committed corpus; merge
    # adds those that cover an edge the seeds do not (-use_counters=0: new
    # hit counts of known edges, which the fuzzer keeps, do not count).
    local cand=$WORK/$t-candidates
    mkdir -p "$cand"
    find "$corpus" -maxdepth 1 -type f -size -8193c -exec cp -t "$cand" {} +
    "$ROOT/$FUZZ_BUILD/fuzz/$t" -merge=1 -use_counters=0 -max_len=8192 -rss_limit_mb=2048 -timeout=60 "$seeds" "$cand" \
      >"$logs/merge.log" 2>&1 || log "$t: merge failed, see $logs/merge.log"
    rm -rf "$cand"
    local after nfind edges
    after=$(find "$seeds" -maxdepth 1 -type f | wc -l)
    edges=$(sed -n 's/^MERGE-OUTER: .* \([0-9]*\) new coverage edges.*/\1/p' "$logs/merge.log" | tail -n1)
    ((after > 0)) || rmdir "$seeds" 2>/dev/null || true
    nfind=$(find "$findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' \
      -o -name 'oom-*' \) | wc -l)
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$t" "$took" "$execs" \
      "$(awk -v e="$execs" -v s="$took" 'BEGIN {printf "%d", s ? e / s : 0}')" "$cov" "$ft" "$rss" "$grown" "$before" \
      "$after" "${edges:-0}" "$nfind" >>"$results"
    ((nfind == 0)) || log "$t: $nfind findings kept in $findings"
  done
  column -t -s $'\t' "$results"
  log "results: $results; grown corpora under $work/*/corpus; new inputs in fuzz/corpus (git status shows them)"
}

main() {
  case ${1:-} in
    dnstap-load) shift && dnstap_load "$@" ;;
    api-connections) shift && api_connections "$@" ;;
    fuzz) shift && fuzz "$@" ;;
    *)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

# On one line: bash has read it whole before it runs, so an edit of this
# file during a long run cannot change what the run does next.
main "$@"; exit
