#!/usr/bin/env bash
# Builds crane from github.com/google/go-containerregistry (main ./cmd/crane, same module).
# Usage: crane.sh WORKDIR OUTDIR  (env contract: scripts/toolchain/README.md)
set -euo pipefail
work=$1 out=$2
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
export CGO_ENABLED=0
# The module cache is read-only: build from a writable copy.
src=$work/src
rm -rf "$src" && cp -r "$TOOL_MODULE_DIR" "$src" && chmod -R u+w "$src"
mkdir -p "$out"
# Built as the main module, so the build info says "(devel)": set the version crane prints explicitly.
ldflags="-s -w -X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$TOOL_MODULE_VERSION"
(cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/crane" ./cmd/crane) >"$work/build.log" 2>&1 \
  || { echo "crane: go build failed, see $work/build.log" >&2; exit 1; }
