#!/usr/bin/env bash
# Builds pulumi-language-nodejs, the Node.js language host the Pulumi CLI starts to run programs.
#
# Why this module: since sdk v3.69.0 the language host is its own Go module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the Go proxy reachable
# here serves none of its versions. Up to v3.68.0 it lived inside github.com/pulumi/pulumi/sdk/v3,
# which the proxy does serve, so TOOL_MODULE is sdk/v3 and the build target is a folder inside it.
# The CLI talks to the host over gRPC and falls back when a newer RPC is unimplemented; v3.68.0 was
# verified with CLI v3.248.0 + @pulumi/pulumi 3.248.0 (up/preview/update/destroy, dynamic resources).
#
# Usage: pulumi-language-nodejs.sh WORKDIR OUTDIR   (driver exports TOOL_* and the Go env)
set -euo pipefail

fail() { echo "pulumi-language-nodejs: $*" >&2; exit 1; }
[[ $# -eq 2 ]] || fail "usage: $0 WORKDIR OUTDIR"
workdir=$1 outdir=$2
: "${TOOL_MODULE_DIR:?}" "${TOOL_MODULE_VERSION:?}"

# The module cache is read-only and `go build -mod=mod` may touch go.mod/go.sum: build from a copy.
mkdir -p "$workdir"
src=$workdir/sdk
rm -rf "$src"
cp -r "$TOOL_MODULE_DIR" "$src" || fail "cannot copy $TOOL_MODULE_DIR"
chmod -R u+w "$src"
[[ -f $src/nodejs/cmd/pulumi-language-nodejs/main.go ]] \
  || fail "$TOOL_MODULE@$TOOL_MODULE_VERSION has no nodejs/cmd/pulumi-language-nodejs (only sdk/v3 <= v3.68.0 does)"

mkdir -p "$outdir"
cd "$src"
# The host reports this version to the CLI (`pulumi about` lists "language nodejs 3.68.0").
# Dependencies resolve through the proxy and are checked against the go.sum shipped in the zip.
GOTOOLCHAIN=local GOSUMDB=off GOFLAGS=-mod=mod \
  go build -trimpath \
    -ldflags "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$TOOL_MODULE_VERSION" \
    -o "$outdir/pulumi-language-nodejs" ./nodejs/cmd/pulumi-language-nodejs \
  >"$workdir/build.log" 2>&1 || fail "go build failed (see $workdir/build.log)"
