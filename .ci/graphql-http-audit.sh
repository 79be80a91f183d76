#!/usr/bin/env bash
# GraphQL over HTTP conformance: installs the graphql-http npm package (the
# reference audit of the GraphQL-over-HTTP spec) into a cache directory,
# starts the real server on loopback with the demo catalogue, runs every
# server audit and fails on anything that is not "ok".
#
#   bash .ci/graphql-http-audit.sh            # skips with a message where npm is missing
#
# GRAPHQL_HTTP_VERSION and GRAPHQL_JS_VERSION pin the audit and graphql-js
# (which also builds a client schema from the introspection answer);
# LF_AUDIT_CACHE is where they are installed (default under ~/.cache).
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "graphql-http audit: SKIPPED, node and npm are not installed"
  exit 0
fi
version=${GRAPHQL_HTTP_VERSION:-1.23.1}
graphql_version=${GRAPHQL_JS_VERSION:-16.15.0}
cache=${LF_AUDIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/leistungsfinder/graphql-http-$version-graphql-$graphql_version}
pkg=$cache/node_modules/graphql-http
if [ ! -f "$pkg/package.json" ]; then
  mkdir -p "$cache"
  npm install --prefix "$cache" --no-save --no-audit --no-fund --loglevel=error "graphql-http@$version" "graphql@$graphql_version" >/dev/null
fi

work=$(mktemp -d)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

go build -o "$work/leistungsfinder" ./cmd/leistungsfinder
"$work/leistungsfinder" serve -addr 127.0.0.1:0 -data "$work/data" 2>"$work/log" &
pid=$!
# The server logs {"msg":"listening",...,"graphql":"http://127.0.0.1:PORT/graphql"} once it accepts connections.
url=
for _ in $(seq 1 600); do
  url=$(grep -o '"graphql":"http://[^"]*"' "$work/log" | head -n1 | cut -d'"' -f4 || true)
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then cat "$work/log"; echo "graphql-http audit: the server did not start"; exit 1; fi
  sleep 0.2
done
if [ -z "$url" ]; then cat "$work/log"; echo "graphql-http audit: the server did not log its address"; exit 1; fi

node .ci/graphql-http-audit.mjs "$pkg" "$url"
