#!/usr/bin/env bash
# Builds Gitea from code.gitea.io/gitea as upstream's `make frontend backend` does, into ONE
# binary that serves its web UI with no files beside it: the frontend from the module's own
# sources and pnpm lock, then `go generate` packs public/, options/, templates/ and the migration
# schemas into bindata.dat files the `bindata` tag go:embeds.
. "$(dirname "$0")/lib.sh"
recipe_start gitea "$@"
src=$work/src
# Built as the main module, so go.mod's replace lines (a forked act, pinned urfave/cli…) apply.
copy_module "$TOOL_MODULE_DIR" "$src"
# Makefile `frontend`: the zip holds web_src/ and the lock, not the built public/assets.
pnpm_run "$src" install --frozen-lockfile
rm -rf "$src/public/assets/js" "$src/public/assets/css" "$src/public/assets/fonts" "$src/public/assets/.vite"
pnpm_run "$src" exec vite build
[ -f "$src/public/assets/.vite/manifest.json" ] || fail "the frontend build left no public/assets/.vite/manifest.json"
# Upstream's Dockerfile adds timetzdata to the tags: the image has no /usr/share/zoneinfo.
tags="bindata timetzdata sqlite sqlite_unlock_notify"
# The Makefile builds with Go's json v2 experiment, and runs the generators for this machine even
# when cross-compiling (they write data files, not code).
export GOEXPERIMENT=jsonv2
(cd "$src" && CC='' GOOS='' GOARCH='' CGO_ENABLED=0 go generate -tags "$tags" ./...) >>"$work/build.log" 2>&1 \
    || fail "go generate (bindata) failed, see $work/build.log"
# Makefile `backend`: its CGO_CFLAGS for SQLite and its -X flags (`gitea --version` shows both).
CGO_CFLAGS="$(go env CGO_CFLAGS) -DSQLITE_MAX_VARIABLE_NUMBER=32766" CGO_ENABLED=1 \
    go_build "$src" gitea . "-s -w -X \"main.Version=$TOOL_VERSION\" -X \"main.Tags=$tags\"" -tags "$tags"
