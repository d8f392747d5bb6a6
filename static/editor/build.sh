#!/usr/bin/env bash
# Builds the back office's editor bundle from npm, reproducibly: exact versions from
# package-lock.json (npm ci), one esbuild run, one file under static/vendor/ named with
# Tiptap's version. With --check, builds into a temporary file and fails when the
# committed bundle differs (CI runs this).
set -euo pipefail
cd "$(dirname "$0")"
version=$(node -p 'require("./package.json").dependencies["@tiptap/core"]')
out="../vendor/tiptap-$version.min.js"
npm ci --no-audit --no-fund --silent
build() {
  ./node_modules/.bin/esbuild src/index.js --bundle --minify --format=iife --target=es2020 \
    --legal-comments=none --charset=utf8 --log-level=warning --outfile="$1"
}
if [ "${1:-}" = "--check" ]; then
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  build "$tmp/bundle.js"
  if ! cmp -s "$tmp/bundle.js" "$out"; then
    echo "static/editor: $out differs from a fresh build; run static/editor/build.sh and commit" >&2
    exit 1
  fi
  echo "static/editor: $out matches a fresh build"
  exit 0
fi
build "$out"
echo "built $out ($(wc -c <"$out") bytes)"
