#!/usr/bin/env bash
# Builds the CNCF distribution registry from github.com/distribution/distribution/v3 (main ./cmd/registry).
# Usage: registry.sh WORKDIR OUTDIR  (env contract: scripts/toolchain/README.md)
set -euo pipefail
work=$1 out=$2
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
# The module cache is read-only: build from a writable copy.
src=$work/src
rm -rf "$src" && cp -r "$TOOL_MODULE_DIR" "$src" && chmod -R u+w "$src"
mkdir -p "$out"
# Same -X as upstream's Makefile; without it `registry --version` says "<tag>+unknown".
pkg=github.com/distribution/distribution/v3
ldflags="-s -w -X $pkg/version.version=$TOOL_MODULE_VERSION -X $pkg/version.mainpkg=$pkg"
(cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/registry" ./cmd/registry) >"$work/build.log" 2>&1 \
  || { echo "registry: go build failed, see $work/build.log" >&2; exit 1; }
