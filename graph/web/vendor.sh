#!/usr/bin/env bash
# Fetches the third-party files the web pages embed, from the npm registry
# with npm itself, and writes them with their licence files and a VERSIONS
# list (package, version, integrity) into static/vendor/ and testdata/.
#
#   bash graph/web/vendor.sh
#
# Sources (npm packages, pinned):
#   graphiql@3.8.3    graphiql.min.js (UMD bundle with graphql-js and
#                     @graphiql/react), graphiql.min.css        MIT
#   react@18.3.1      umd/react.production.min.js               MIT
#   react-dom@18.3.1  umd/react-dom.production.min.js           MIT
#   axe-core@4.10.3   axe.min.js, for the browser tests only     MPL-2.0
#                     (goes to testdata/, not into the binary)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/static/vendor"
tdata="$here/testdata"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

pkgs=(graphiql@3.8.3 react@18.3.1 react-dom@18.3.1 axe-core@4.10.3)
(cd "$tmp" && npm pack --silent "${pkgs[@]}" >/dev/null)
for p in "${pkgs[@]}"; do
  name="${p%@*}"; ver="${p##*@}"
  mkdir -p "$tmp/$name"
  tar xzf "$tmp/$name-$ver.tgz" -C "$tmp/$name"
done

rm -rf "$out"; mkdir -p "$out"
cp "$tmp/graphiql/package/graphiql.min.js" "$tmp/graphiql/package/graphiql.min.css" "$out/"
cp "$tmp/graphiql/package/LICENSE" "$out/LICENSE.graphiql"
cp "$tmp/react/package/umd/react.production.min.js" "$out/"
cp "$tmp/react/package/LICENSE" "$out/LICENSE.react"
cp "$tmp/react-dom/package/umd/react-dom.production.min.js" "$out/"
cp "$tmp/react-dom/package/LICENSE" "$out/LICENSE.react-dom"
cp "$tmp/axe-core/package/axe.min.js" "$tdata/axe.min.js"
cp "$tmp/axe-core/package/LICENSE" "$tdata/LICENSE.axe-core"

{
  echo "# Written by graph/web/vendor.sh from the npm registry; do not edit."
  echo "# package version integrity"
  for p in "${pkgs[@]}"; do
    name="${p%@*}"; ver="${p##*@}"
    echo "$name $ver $(cd "$tmp" && npm view --silent "$p" dist.integrity)"
  done
} > "$tmp/VERSIONS"
grep -v '^axe-core ' "$tmp/VERSIONS" > "$out/VERSIONS"
{ head -2 "$tmp/VERSIONS"; grep '^axe-core ' "$tmp/VERSIONS"; } > "$tdata/VERSIONS.axe-core"
echo "vendored: ${pkgs[*]}"
