#!/usr/bin/env bash
# Builds olareg from github.com/olareg/olareg (main ./cmd/olareg): a small OCI registry that
# implements the OCI 1.1 referrers API (with artifactType filtering), for tests that need it.
# Usage: olareg.sh WORKDIR OUTDIR  (env contract: scripts/toolchain/README.md)
set -euo pipefail
work=$1 out=$2
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
# The module cache is read-only: build from a writable copy.
src=$work/src
rm -rf "$src" && cp -r "$TOOL_MODULE_DIR" "$src" && chmod -R u+w "$src"
mkdir -p "$out"
# Same -X as upstream's Makefile, so `olareg version` reports the pinned tag.
ldflags="-s -w -buildid= -X github.com/olareg/olareg/internal/version.vcsTag=$TOOL_MODULE_VERSION"
(cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/olareg" ./cmd/olareg) >"$work/build.log" 2>&1 \
  || { echo "olareg: go build failed, see $work/build.log" >&2; exit 1; }
