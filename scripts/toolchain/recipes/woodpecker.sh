#!/usr/bin/env bash
# Builds the Woodpecker CI server, agent and CLI from github.com/woodpecker-ci/woodpecker. The
# canonical path go.woodpecker-ci.org/woodpecker is refused by the module proxy here, but it
# serves the same zip under the GitHub path; built as the main module, imports resolve against
# go.mod's own module line. Only v1.0.2 and v1.0.5 are served (every v2/v3 answers 403).
. "$(dirname "$0")/lib.sh"
recipe_start woodpecker "$@"
[ -d "${TOOL_EXTRA_DIR_0:-}" ] || fail "TOOL_EXTRA_DIR_0 (xorm.io/xorm) is not a directory"
src=$work/src
copy_module "$TOOL_MODULE_DIR" "$src"
# The server go:embeds web/dist, which upstream builds with pnpm and the zip does not hold:
# build the web UI from the module's own web/ sources and lock (pnpm 8 reads its lockfile v6),
# as upstream's Makefile does (vite build, base path placeholder the server rewrites).
pnpm_run "$src/web" install --frozen-lockfile
pnpm_run "$src/web" run build
[ -f "$src/web/dist/index.html" ] || fail "the web UI build left no web/dist/index.html"
# go.mod pins xorm.io/xorm v1.3.3-0.20230809032852-db7c2640627d, which the proxy refuses (403);
# the v1.3.3 tag is that very commit, downloaded and sum-checked by the driver as extra module 0.
(cd "$src" && go mod edit -replace "xorm.io/xorm=$TOOL_EXTRA_DIR_0") || fail "cannot redirect xorm.io/xorm to TOOL_EXTRA_DIR_0"
# Upstream Makefile: -X …/version.Version=<tag without v>, shown by `--version`.
ldflags="-s -w -X go.woodpecker-ci.org/woodpecker/version.Version=$TOOL_VERSION"
# The server needs CGO for its SQLite store (mattn/go-sqlite3); agent and CLI are pure Go upstream.
CGO_ENABLED=1 go_build "$src" woodpecker-server ./cmd/server "$ldflags"
go_build "$src" woodpecker-agent ./cmd/agent "$ldflags"
go_build "$src" woodpecker-cli ./cmd/cli "$ldflags"
