#!/usr/bin/env bash
# A local ClickHouse cluster for nsradar's warehouse: N clickhouse-server
# processes (Debian's 18.16 package) on loopback, each with its own data
# folder and a generated config whose remote_servers cluster `nsradar` has
# the N processes as its N shards (one replica each, no ZooKeeper: the
# warehouse tables are not replicated).
#
#   warehouse.sh up     [--shards N] [--dir DIR] [--base-port P]
#   warehouse.sh status [--dir DIR]
#   warehouse.sh down   [--dir DIR]
#
# Shard i (0-based) listens on 127.0.0.1, HTTP port P+2i and native port
# P+2i+1 (P defaults to 18123). `up` waits until every shard answers
# GET /ping, writes DIR/shardI/pid and DIR/urls (the --warehouse list for
# nsradar), and stops what it started when any shard fails to come up.
# `down` stops the shards by their PIDs (TERM, then KILL after 20 s), never
# by name. The processes run as the calling user; DIR defaults to
# ./warehouse.
set -euo pipefail

die() { echo "warehouse.sh: $*" >&2; exit 1; }

cmd=${1:-}
[[ -n $cmd ]] || die "usage: warehouse.sh up|down|status [--shards N] [--dir DIR] [--base-port P]"
shift
SHARDS=3
DIR=./warehouse
BASE=18123
while (($#)); do
  case $1 in
    --shards) SHARDS=${2:-}; shift 2 ;;
    --dir) DIR=${2:-}; shift 2 ;;
    --base-port) BASE=${2:-}; shift 2 ;;
    *) die "unknown option $1" ;;
  esac
done
[[ $SHARDS =~ ^[1-9][0-9]?$ ]] || die "--shards: '$SHARDS' is not a number from 1 to 99"
[[ $BASE =~ ^[0-9]+$ ]] && ((BASE >= 1024 && BASE + 2 * SHARDS <= 65535)) ||
  die "--base-port: '$BASE' must leave room for $((2 * SHARDS)) ports between 1024 and 65535"
[[ -n $DIR ]] || die "--dir: empty"

SERVER=$(command -v clickhouse-server || true)
[[ -n $SERVER ]] || SERVER=/usr/sbin/clickhouse-server

shard_dirs() { find "$DIR" -maxdepth 1 -type d -name 'shard*' 2>/dev/null | sort -V; }

# A PID file names a live clickhouse-server of this folder, not a reused PID.
live_pid() {  # shard dir
  local pid
  pid=$(cat "$1/pid" 2>/dev/null) || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--config-file=$1/config.xml" || return 1
  echo "$pid"
}

write_config() {  # shard index, shard dir
  local i=$1 d=$2 j
  {
    cat <<XML
<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>$d/log/server.log</log>
    <errorlog>$d/log/server.err.log</errorlog>
    <size>10M</size>
    <count>2</count>
  </logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$((BASE + 2 * i))</http_port>
  <tcp_port>$((BASE + 2 * i + 1))</tcp_port>
  <max_connections>256</max_connections>
  <keep_alive_timeout>3</keep_alive_timeout>
  <max_concurrent_queries>64</max_concurrent_queries>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <mark_cache_size>268435456</mark_cache_size>
  <path>$d/data/</path>
  <tmp_path>$d/tmp/</tmp_path>
  <user_files_path>$d/user_files/</user_files_path>
  <format_schema_path>$d/format_schemas/</format_schema_path>
  <users_config>$d/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <remote_servers>
    <nsradar>
XML
    for ((j = 0; j < SHARDS; j++)); do
      printf '      <shard><replica><host>127.0.0.1</host><port>%d</port></replica></shard>\n' $((BASE + 2 * j + 1))
    done
    cat <<XML
    </nsradar>
  </remote_servers>
</yandex>
XML
  } >"$d/config.xml"
  cat >"$d/users.xml" <<XML
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.0/8</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors>
    <result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
}

stop_all() {
  local d pid pids=()
  while read -r d; do
    if pid=$(live_pid "$d"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
    rm -f "$d/pid"
  done < <(shard_dirs)
  local t
  for pid in "${pids[@]}"; do
    for ((t = 0; t < 200; t++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "warehouse.sh: PID $pid ignored TERM for 20 s; killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

case $cmd in
  up)
    [[ -x $SERVER ]] || die "clickhouse-server not found (scripts/install-deps.sh --tests installs it)"
    mkdir -p "$DIR"
    DIR=$(cd "$DIR" && pwd)
    for d in $(shard_dirs); do
      if live_pid "$d" >/dev/null; then die "$d is running already (warehouse.sh down --dir $DIR first)"; fi
    done
    urls=()
    for ((i = 0; i < SHARDS; i++)); do
      d=$DIR/shard$i
      mkdir -p "$d/log" "$d/data" "$d/tmp" "$d/user_files" "$d/format_schemas"
      write_config "$i" "$d"
      # Setsid: the servers outlive this script but not a `down`.
      setsid "$SERVER" --config-file="$d/config.xml" </dev/null >"$d/log/stdout.log" 2>&1 &
      echo $! >"$d/pid"
      urls+=("http://127.0.0.1:$((BASE + 2 * i))")
    done
    for ((i = 0; i < SHARDS; i++)); do
      d=$DIR/shard$i
      ok=0
      for ((t = 0; t < 600; t++)); do
        if [[ $(curl -s --max-time 1 "http://127.0.0.1:$((BASE + 2 * i))/ping" 2>/dev/null) == Ok. ]]; then
          ok=1
          break
        fi
        live_pid "$d" >/dev/null || break
        sleep 0.1
      done
      if ((!ok)); then
        echo "warehouse.sh: shard $i did not answer on port $((BASE + 2 * i)); its log:" >&2
        tail -n 20 "$d/log/server.err.log" "$d/log/stdout.log" >&2 2>/dev/null || true
        stop_all
        exit 1
      fi
    done
    (IFS=,; echo "${urls[*]}") >"$DIR/urls"
    echo "warehouse.sh: $SHARDS shard(s) up in $DIR: $(cat "$DIR/urls")"
    ;;
  down)
    [[ -d $DIR ]] || exit 0
    DIR=$(cd "$DIR" && pwd)
    stop_all
    ;;
  status)
    [[ -d $DIR ]] || die "$DIR: no such folder"
    DIR=$(cd "$DIR" && pwd)
    rc=0
    while read -r d; do
      port=$(sed -n 's:.*<http_port>\([0-9]*\)</http_port>.*:\1:p' "$d/config.xml")
      if pid=$(live_pid "$d"); then
        answer=$(curl -s --max-time 2 "http://127.0.0.1:$port/ping" 2>/dev/null || true)
        echo "$(basename "$d") pid $pid http $port ${answer:-not answering}"
        [[ $answer == Ok. ]] || rc=1
      else
        echo "$(basename "$d") stopped (http $port)"
        rc=1
      fi
    done < <(shard_dirs)
    exit $rc
    ;;
  *) die "unknown command '$cmd' (expected up, down or status)" ;;
esac
