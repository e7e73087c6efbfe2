#!/usr/bin/env bash
# Builds gofakes3 from github.com/johannesboyne/gofakes3 (main ./cmd/gofakes3, MIT): a small
# S3-compatible server, for tests of the registry's S3 storage driver on loopback (MinIO is AGPL).
. "$(dirname "$0")/lib.sh"
recipe_start gofakes3 "$@"
copy_module "$TOOL_MODULE_DIR" "$work/src"
go_build "$work/src" gofakes3 ./cmd/gofakes3 "-s -w -buildid="
