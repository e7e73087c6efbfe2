#!/usr/bin/env bash
# Builds the CNCF distribution registry from github.com/distribution/distribution/v3 (main ./cmd/registry).
. "$(dirname "$0")/lib.sh"
recipe_start registry "$@"
copy_module "$TOOL_MODULE_DIR" "$work/src"
# Same -X as upstream's Makefile; without it `registry --version` says "<tag>+unknown".
pkg=github.com/distribution/distribution/v3
go_build "$work/src" registry ./cmd/registry "-s -w -X $pkg/version.version=$TOOL_MODULE_VERSION -X $pkg/version.mainpkg=$pkg"
