#!/usr/bin/env bash
# Builds olareg from github.com/olareg/olareg (main ./cmd/olareg): a small OCI registry that
# implements the OCI 1.1 referrers API (with artifactType filtering), for tests that need it.
. "$(dirname "$0")/lib.sh"
recipe_start olareg "$@"
copy_module "$TOOL_MODULE_DIR" "$work/src"
# Same -X as upstream's Makefile, so `olareg version` reports the pinned tag.
go_build "$work/src" olareg ./cmd/olareg "-s -w -buildid= -X github.com/olareg/olareg/internal/version.vcsTag=$TOOL_MODULE_VERSION"
