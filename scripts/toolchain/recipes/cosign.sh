#!/usr/bin/env bash
# Builds cosign from github.com/sigstore/cosign/v3 (main ./cmd/cosign).
# Usage: cosign.sh WORKDIR OUTDIR  (env contract: scripts/toolchain/README.md)
set -euo pipefail
work=$1 out=$2
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
# Upstream release builds are CGO-free (the pivkey/pkcs11key variants need CGO and are not used here).
export CGO_ENABLED=0
# The module cache is read-only: build from a writable copy.
src=$work/src
rm -rf "$src" && cp -r "$TOOL_MODULE_DIR" "$src" && chmod -R u+w "$src"
mkdir -p "$out"
# Same -X as upstream's Makefile, so `cosign version` reports the pinned tag.
ldflags="-s -w -buildid= -X sigs.k8s.io/release-utils/version.gitVersion=$TOOL_MODULE_VERSION -X sigs.k8s.io/release-utils/version.gitTreeState=clean"
(cd "$src" && go build -trimpath -ldflags "$ldflags" -o "$out/cosign" ./cmd/cosign) >"$work/build.log" 2>&1 \
  || { echo "cosign: go build failed, see $work/build.log" >&2; exit 1; }
