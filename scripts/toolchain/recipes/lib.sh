# Sourced by every recipe: the steps all Go builds here share. See ../README.md for the
# contract (recipe.sh WORKDIR OUTDIR, TOOL_* from the driver).
# shellcheck shell=bash
set -euo pipefail

# recipe_start NAME "$@": checks the arguments, sets $work and an absolute $out (go build runs
# from inside the copy), and the Go environment every build here uses.
recipe_start() {
    recipe=$1; shift
    [ $# -eq 2 ] || { echo "usage: $recipe.sh WORKDIR OUTDIR" >&2; exit 2; }
    [ -d "${TOOL_MODULE_DIR:-}" ] || fail "TOOL_MODULE_DIR is not a directory"
    work=$1
    mkdir -p "$work" "$2" && out=$(cd "$2" && pwd)
    export GOTOOLCHAIN=local GOSUMDB=off GOFLAGS="-mod=mod -buildvcs=false"
    export CGO_ENABLED=${CGO_ENABLED:-0}
    cross_target
    : >"$work/build.log"
}

# cross_target: for a TOOL_ARCH other than the host's, Go's target and the C cross compiler a
# CGO build links with (Debian's gcc-<triplet>). The host's build sets neither, as it always did.
cross_target() {
    local host triplet
    host=$(dpkg --print-architecture)
    [ -n "${TOOL_ARCH:-}" ] && [ "$TOOL_ARCH" != "$host" ] || return 0
    case "$TOOL_ARCH" in
        amd64) triplet=x86_64-linux-gnu ;;
        arm64) triplet=aarch64-linux-gnu ;;
        *) fail "cannot cross-compile for $TOOL_ARCH" ;;
    esac
    export GOOS=linux GOARCH=$TOOL_ARCH CC=$triplet-gcc
    cross_package=gcc-$triplet
}

fail() { echo "$recipe: $*" >&2; exit 1; }

# copy_module DIR DEST: the module cache is read-only and builds may edit go.mod: build from a copy.
copy_module() {
    { rm -rf "$2" && cp -r "$1" "$2" && chmod -R u+w "$2"; } || fail "cannot copy $1 into $2"
}

# go_build SRC BINARY PACKAGE LDFLAGS [BUILD FLAGS…]: builds into $out, the log into $work/build.log.
go_build() {
    local src=$1 bin=$2 pkg=$3 ldflags=$4; shift 4
    if [ "$CGO_ENABLED" = 1 ] && [ -n "${cross_package:-}" ] && ! command -v "$CC" >/dev/null; then
        fail "$bin needs CGO, and cross-compiling it for $TOOL_ARCH needs $CC: apt-get install $cross_package libc6-dev-${TOOL_ARCH}-cross (scripts/setup installs them)"
    fi
    (cd "$src" && go build -trimpath "$@" -ldflags "$ldflags" -o "$out/$bin" "$pkg") >>"$work/build.log" 2>&1 \
        || fail "go build of $bin failed, see $work/build.log"
}

# pnpm_run DIR ARGS…: runs the pinned pnpm (TOOL_PNPM_VERSION, from the lock's `pnpm`) in DIR with
# the pinned Node.js on PATH. The pnpm package comes from the npm registry once, checked against
# TOOL_PNPM_INTEGRITY, and is cached by version; packages go through one shared store, so a
# rebuild downloads nothing. The output goes to $work/build.log.
pnpm_run() {
    local dir=$1 cache=${SLIPWAY_CACHE:?}/pnpm/${TOOL_PNPM_VERSION:?the lock names no pnpm for $recipe} got
    shift
    node --version | grep -Eq '^v(2[2-9]|[3-9][0-9])\.' || fail "building the web UI needs Node.js >= 22 on PATH (run it through scripts/setup, which puts the pinned one first)"
    if [ ! -f "$cache/package/package.json" ]; then
        rm -rf "$cache.tmp" && mkdir -p "$cache.tmp"
        got=$(cd "$cache.tmp" && npm pack --json "pnpm@$TOOL_PNPM_VERSION" 2>>"$work/build.log" | jq -r '.[0].integrity') || fail "npm did not serve pnpm@$TOOL_PNPM_VERSION"
        [ "$got" = "${TOOL_PNPM_INTEGRITY:?}" ] || fail "pnpm@$TOOL_PNPM_VERSION has integrity $got but toolchain.lock.json pins $TOOL_PNPM_INTEGRITY; refusing to run it"
        tar -xzf "$cache.tmp"/pnpm-*.tgz -C "$cache.tmp" && rm -rf "$cache" && mv "$cache.tmp" "$cache" || fail "cannot unpack pnpm@$TOOL_PNPM_VERSION"
    fi
    (cd "$dir" && CI=true npm_config_store_dir="$SLIPWAY_CACHE/pnpm-store" node "$cache/package/bin/pnpm.cjs" "$@") >>"$work/build.log" 2>&1 \
        || fail "pnpm $* in $dir failed, see $work/build.log"
}
