#!/usr/bin/env bash
# Rebuilds the web UI bundle in web/dist from web/src: esbuild (pinned in
# package-lock.json) bundles and minifies the modules into one app.js and
# the CSS into app.css (index.html, written by hand, is used as it is).
# web/dist is checked in and compiled into nsradar (web/embed.cmake), so
# only whoever changes web/src needs Node (v18 or later) and npm. Prints the sizes against the budget.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --loglevel=error
mkdir -p dist
npx --no-install esbuild src/main.js --bundle --minify --format=esm --target=es2020 --legal-comments=none \
  --outfile=dist/app.js --log-level=warning
npx --no-install esbuild src/app.css --minify --outfile=dist/app.css --log-level=warning
total=0
for f in index.html dist/app.js dist/app.css; do
  n=$(gzip -9n <"$f" | wc -c)
  total=$((total + n))
  printf '%-16s %7d bytes, %6d gzip\n' "$f" "$(wc -c <"$f")" "$n"
done
printf 'total gzip: %d bytes (budget 307200)\n' "$total"
((total <= 307200))
