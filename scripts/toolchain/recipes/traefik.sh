#!/usr/bin/env bash
# Builds traefik from github.com/traefik/traefik/v3 (main ./cmd/traefik).
# Usage: traefik.sh WORKDIR OUTDIR  (env contract: scripts/toolchain/README.md)
set -euo pipefail
work=$1 out=$2
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
# The module cache is read-only: build from a writable copy.
src=$work/src
rm -rf "$src" && cp -r "$TOOL_MODULE_DIR" "$src" && chmod -R u+w "$src"
mkdir -p "$out"
# go.mod has `replace github.com/traefik/traefik/dynamic/ext => ./pkg/config/dynamic/ext`, a nested
# module that the zip leaves out and the proxy cannot serve (its module path matches no directory
# of the repository). Upstream's open-source copy is only these empty extension points; recreate it.
ext=$src/pkg/config/dynamic/ext
if [ ! -f "$ext/go.mod" ]; then
  mkdir -p "$ext"
  printf 'module github.com/traefik/traefik/dynamic/ext\n\ngo 1.24.0\n' >"$ext/go.mod"
  cat >"$ext/ext.go" <<'GO'
package ext

// HTTP is a dynamic.HTTP extension.
type HTTP struct{}

// Router is a dynamic.Router extension.
type Router struct{}

// RouterIng is a RouterIng extension for ingress provider annotations.
type RouterIng struct{}

// ToRouter converts RouterIng to a Router.
func (r RouterIng) ToRouter() Router {
	return Router{}
}
GO
fi
# The web UI (webui/static) is built by npm upstream and absent from the zip; the binary works without it.
# Same -X as upstream's Makefile, so `traefik version` reports the pinned version.
ldflags="-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TOOL_VERSION -X github.com/traefik/traefik/v3/pkg/version.Codename=cheddar"
(cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/traefik" ./cmd/traefik) >"$work/build.log" 2>&1 \
  || { echo "traefik: go build failed, see $work/build.log" >&2; exit 1; }
