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
