#!/usr/bin/env bash
# Builds the Woodpecker CI server, agent and CLI from the github.com/woodpecker-ci/woodpecker module.
# The canonical path go.woodpecker-ci.org/woodpecker is refused by the module proxy here, but the
# proxy serves the same zip under the GitHub path; built as the main module, the go.mod's own
# module line (go.woodpecker-ci.org/woodpecker) is what the imports resolve against.
# Usage: woodpecker.sh WORKDIR OUTDIR  (env contract: scripts/toolchain/README.md)
set -euo pipefail
work=$1 out=$2
export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
# The module cache is read-only: build from a writable copy.
src=$work/src
rm -rf "$src" && cp -r "$TOOL_MODULE_DIR" "$src" && chmod -R u+w "$src"
mkdir -p "$out"
# The server go:embeds web/dist (built by pnpm upstream, absent from the zip) and refuses to start
# without web/dist/index.html: embed a placeholder page. The API, webhooks and agents do not need the UI.
if [ ! -f "$src/web/dist/index.html" ]; then
  mkdir -p "$src/web/dist"
  printf '<!doctype html><title>Woodpecker</title><p>Web UI not bundled in this build; use the API or woodpecker-cli.</p>\n' \
    >"$src/web/dist/index.html"
fi
# go.mod pins xorm.io/xorm v1.3.3-0.20230809032852-db7c2640627d, which the proxy here refuses (403).
# The v1.3.3 tag is that very commit (db7c2640627d), so point the requirement at the v1.3.3 module,
# which the driver downloads and sum-checks as extra module 0.
(cd "$src" && go mod edit -replace "xorm.io/xorm=$TOOL_EXTRA_DIR_0") \
  || { echo "woodpecker: cannot redirect xorm.io/xorm to TOOL_EXTRA_DIR_0" >&2; exit 1; }
# Upstream Makefile: -X …/version.Version=<tag without v>, shown by `--version`.
ldflags="-s -w -X go.woodpecker-ci.org/woodpecker/version.Version=$TOOL_VERSION"
build() { # build BINARY PACKAGE CGO_ENABLED
  (cd "$src" && CGO_ENABLED=$3 go build -trimpath -ldflags "$ldflags" -o "$out/$1" "$2") >>"$work/build.log" 2>&1 \
    || { echo "woodpecker: go build of $1 failed, see $work/build.log" >&2; exit 1; }
}
: >"$work/build.log"
# The server needs CGO for its SQLite store (mattn/go-sqlite3); agent and CLI are pure Go upstream.
build woodpecker-server ./cmd/server 1
build woodpecker-agent ./cmd/agent 0
build woodpecker-cli ./cmd/cli 0
