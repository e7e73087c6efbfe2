#!/usr/bin/env bash
# Builds the Pulumi CLI from github.com/pulumi/pulumi/pkg/v3 (main ./cmd/pulumi).
# Usage: pulumi.sh WORKDIR OUTDIR  (env contract: scripts/toolchain/README.md)
set -euo pipefail
work=$1 out=$2
# pkg/v3's go.mod replaces sdk/v3 with ../sdk, so `go install pkg@v` cannot work: lay both
# modules out side by side as in the pulumi repository (extra module 0 is sdk/v3).
rm -rf "$work/pkg" "$work/sdk"
cp -r "$TOOL_MODULE_DIR" "$work/pkg" && cp -r "$TOOL_EXTRA_DIR_0" "$work/sdk" && chmod -R u+w "$work"
mkdir -p "$out"
# Tags and -X as in upstream's release build, so `pulumi version` reports the pin.
(cd "$work/pkg" && go build -trimpath -tags osusergo,grpcnotrace \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$TOOL_VERSION" \
    -o "$out/pulumi" ./cmd/pulumi) >"$work/build.log" 2>&1 \
  || { echo "pulumi: go build failed, see $work/build.log" >&2; exit 1; }
