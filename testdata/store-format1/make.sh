#!/bin/sh
# Rebuilds store-format1.tar.gz, a store written by an nsradar of format 1
# (main at 33aeb14, before ns_blocks), from the history in ingest.sh.
# usage: make.sh OLD_NSRADAR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# big-1: 700 domains on ns1.host.test (and every third also on ns2);
# big-2: the first 60 dropped, 40 added at the end, ns2 gone from 100.
{
  echo 'test. 3600 IN SOA ns1.host.test. h.test. 1 1 1 1 1'
  i=0
  while [ $i -lt 700 ]; do
    echo "d$i.test. 3600 IN NS ns1.host.test."
    [ $((i % 3)) -eq 0 ] && echo "d$i.test. 3600 IN NS ns2.host.test."
    i=$((i + 1))
  done
} >"$here/big-1.zone"
{
  echo 'test. 3600 IN SOA ns1.host.test. h.test. 2 1 1 1 1'
  i=60
  while [ $i -lt 740 ]; do
    echo "d$i.test. 3600 IN NS ns1.host.test."
    [ $((i % 3)) -eq 0 ] && [ $i -ge 160 ] && echo "d$i.test. 3600 IN NS ns2.host.test."
    i=$((i + 1))
  done
} >"$here/big-2.zone"
sh "$here/ingest.sh" "$1" "$tmp/store"
tar -C "$tmp" -czf "$here/store-format1.tar.gz" --owner=0 --group=0 --sort=name store
