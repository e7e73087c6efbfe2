# Sourced by scripts/*: paths, the cache, and the step runner that times and names each step.
# shellcheck shell=bash

SLIPWAY_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
SLIPWAY_CACHE=${SLIPWAY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/slipway}
# Tests point this at a modified copy to check that setup fails closed.
SLIPWAY_LOCK=${SLIPWAY_LOCK:-$SLIPWAY_ROOT/toolchain.lock.json}
# Where the pinned tools are linked side by side: pulumi finds its bundled plugins (the
# language host, the dynamic-provider shim) next to its own executable.
SLIPWAY_BIN=$SLIPWAY_CACHE/bin

log() { printf '%s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# step NAME FUNCTION [ARGS…]: runs one setup step, prints what it took, stops setup on failure.
step() {
    local name=$1; shift
    local start=$SECONDS
    log "==> $name"
    if ! "$@"; then
        log "setup: step '$name' failed after $((SECONDS - start))s (see the message above); stopping."
        exit 1
    fi
    log "    $name: done in $((SECONDS - start))s"
}

# lock_get JQ_FILTER: reads the lock file.
lock_get() { jq -er "$1" "$SLIPWAY_LOCK"; }

node_bin_dir() { echo "$SLIPWAY_CACHE/node/$(lock_get .node.version)/node_modules/$(lock_get .node.package)/bin"; }

# The architectures the platform images are assembled for (lib/images.ts IMAGE_ARCHES follows).
SLIPWAY_IMAGE_ARCHES=(amd64 arm64)

# host_arch: this machine's Debian architecture; binaries for it are built and installed natively.
host_arch() { dpkg --print-architecture; }

# gnu_triplet ARCH: Debian's multiarch triplet (library folders, cross compilers).
gnu_triplet() {
    case "$1" in
        amd64) echo x86_64-linux-gnu ;;
        arm64) echo aarch64-linux-gnu ;;
        *) log "no known GNU triplet for architecture $1"; return 1 ;;
    esac
}

# tool_dir TOOL ARCH: the cache folder of TOOL's pinned build for ARCH. The host's builds keep
# the name+version key they always had; a cross-compiled build adds its architecture.
# A recipe change that alters what is built (woodpecker gaining its web UI) bumps the lock's
# optional `build`, which joins the key as +b<build>, so no cache keeps the old build.
tool_dir() {
    local version build
    version=$(lock_get ".tools[\"$1\"].version") || return 1
    build=$(jq -r ".tools[\"$1\"].build // empty" "$SLIPWAY_LOCK")
    [ -z "$build" ] || version="$version+b$build"
    if [ "$2" = "$(host_arch)" ]; then echo "$SLIPWAY_CACHE/tools/$1-$version"; else echo "$SLIPWAY_CACHE/tools/$1-$version-$2"; fi
}
