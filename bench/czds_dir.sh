#!/usr/bin/env bash
# A CZDS-style download for `nsradar zone ingest --czds`: ZONES gzip zone
# files <tld>.zone.gz in DIR totalling about TOTAL domains, sized by a Zipf
# law over the zones' ranks (exponent 1.1: the largest holds ~15% of the
# total, most are small), as a day of CZDS apart from .com is shaped.
#
#   bench/czds_dir.sh DIR [TOTAL] [ZONES] [SNAPSHOT]
#
# Zones are written by nsradar-zonegen (seed = rank, so the same arguments
# give the same files; SNAPSHOT > 0 gives a later day of the same zones),
# two at a time, each at least 20 domains. Then, for the figures of
# docs/benchmarks.md:
#   /usr/bin/time -v nsradar --store S zone ingest --czds DIR --observed-at 2026-11-01 -v
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:?usage: bench/czds_dir.sh DIR [TOTAL] [ZONES] [SNAPSHOT]}
TOTAL=${2:-16000000}
ZONES=${3:-1150}
SNAPSHOT=${4:-0}
ZONEGEN=${ZONEGEN:-build/tools/nsradar-zonegen}
mkdir -p "$DIR"
awk -v total="$TOTAL" -v zones="$ZONES" 'BEGIN {
  for (r = 1; r <= zones; ++r) h += 1 / r ^ 1.1
  for (r = 1; r <= zones; ++r) {
    n = int(total / h / r ^ 1.1); if (n < 20) n = 20
    printf "%d t%04d %d\n", n, r, r
  }
}' | xargs -P 2 -n 3 sh -c '"$0" --tld "$2" --domains "$1" --seed "$3" --snapshot '"$SNAPSHOT"' -o - |
  gzip -6 > "'"$DIR"'/$2.zone.gz"' "$ZONEGEN"
du -sh "$DIR"
