#!/usr/bin/env bash
# Builds cosign from github.com/sigstore/cosign/v3 (main ./cmd/cosign).
. "$(dirname "$0")/lib.sh"
recipe_start cosign "$@"
copy_module "$TOOL_MODULE_DIR" "$work/src"
# Upstream release builds are CGO-free (the pivkey/pkcs11key variants need CGO and are not used here).
# Same -X as upstream's Makefile, so `cosign version` reports the pinned tag.
go_build "$work/src" cosign ./cmd/cosign \
    "-s -w -buildid= -X sigs.k8s.io/release-utils/version.gitVersion=$TOOL_MODULE_VERSION -X sigs.k8s.io/release-utils/version.gitTreeState=clean"
