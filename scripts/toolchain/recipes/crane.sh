#!/usr/bin/env bash
# Builds crane from github.com/google/go-containerregistry (main ./cmd/crane, same module).
. "$(dirname "$0")/lib.sh"
recipe_start crane "$@"
copy_module "$TOOL_MODULE_DIR" "$work/src"
# Built as the main module, the build info says "(devel)": set the version crane prints explicitly.
go_build "$work/src" crane ./cmd/crane "-s -w -X github.com/google/go-containerregistry/cmd/crane/cmd.Version=$TOOL_MODULE_VERSION"
