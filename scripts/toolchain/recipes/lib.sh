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
    : >"$work/build.log"
}

fail() { echo "$recipe: $*" >&2; exit 1; }

# copy_module DIR DEST: the module cache is read-only and builds may edit go.mod: build from a copy.
copy_module() {
    { rm -rf "$2" && cp -r "$1" "$2" && chmod -R u+w "$2"; } || fail "cannot copy $1 into $2"
}

# go_build SRC BINARY PACKAGE LDFLAGS [BUILD FLAGS…]: builds into $out, the log into $work/build.log.
go_build() {
    local src=$1 bin=$2 pkg=$3 ldflags=$4; shift 4
    (cd "$src" && go build -trimpath "$@" -ldflags "$ldflags" -o "$out/$bin" "$pkg") >>"$work/build.log" 2>&1 \
        || fail "go build of $bin failed, see $work/build.log"
}
