#!/usr/bin/env bash
# Import direction (DESIGN.md): i18n <- catalog <- search, federation <- graph <- cmd.
# catalog never imports graph, search, federation, gqlgen or Bleve; search and
# federation never import each other; nothing below cmd imports graph.
set -euo pipefail
mod=github.com/leistungsfinder/leistungsfinder
fail=0
deny() { # package pattern, forbidden import prefixes...
  local pkgs=$1; shift
  for p in $(go list "$pkgs" 2>/dev/null); do
    deps=$(go list -deps "$p")
    for bad in "$@"; do
      if grep -q "^$bad" <<<"$deps"; then
        echo "import direction: $p depends on $bad"
        fail=1
      fi
    done
  done
}
deny "./i18n/..." "$mod/catalog" "$mod/search" "$mod/federation" "$mod/graph" "$mod/cmd"
deny "./catalog/..." "$mod/graph" "$mod/search" "$mod/federation" "$mod/cmd" github.com/99designs/gqlgen github.com/blevesearch
if [ -d search ]; then deny "./search/..." "$mod/federation" "$mod/graph" "$mod/cmd"; fi
if [ -d federation ]; then deny "./federation/..." "$mod/search" "$mod/graph" "$mod/cmd"; fi
deny "./graph/..." "$mod/cmd"
if [ $fail -ne 0 ]; then exit 1; fi
echo "import direction: ok"
