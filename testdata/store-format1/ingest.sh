#!/bin/sh
# The history in store-format1.tar.gz: six root-zone snapshots and two days
# of a generated zone whose name server holds enough domains for several
# blocks. usage: ingest.sh NSRADAR STORE_DIR
# migrate_test.cc runs it with the current nsradar for the reference store.
set -eu
nsradar=$1
store=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$here/../rootzone
"$nsradar" --store "$store" zone ingest --times "$root/snapshots.tsv" \
  "$root/history/root-20180129T0000Z.zone.gz" "$root/history/root-20180130T0000Z.zone.gz" \
  "$root/history/root-20180130T0200Z.zone.gz" "$root/history/root-20180131T0100Z.zone.gz" \
  "$root/history/root-20180201T0100Z.zone.gz" "$root/history/root-20180201T0200Z.zone.gz" >/dev/null
"$nsradar" --store "$store" zone ingest --observed-at 2024-01-01T00:00:00Z "$here/big-1.zone" >/dev/null
"$nsradar" --store "$store" zone ingest --observed-at 2024-01-02T00:00:00Z "$here/big-2.zone" >/dev/null
