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

# node_for ARCH: the pinned Node.js binary for ARCH (an image's, with `node`). This machine's is
# setup's; another architecture's is the npm registry's package of the same version (.node.foreign),
# fetched once into the cache by name+version+arch.
node_for() {
    local version package dir
    if [ "$1" = "$(host_arch)" ]; then echo "$(node_bin_dir)/node"; return 0; fi
    version=$(lock_get .node.version) || return 1
    package=$(jq -r --arg a "$1" '.node.foreign[$a] // empty' "$SLIPWAY_LOCK")
    [ -n "$package" ] || { log "no Node.js package for $1 in toolchain.lock.json: add it under .node.foreign"; return 1; }
    dir=$SLIPWAY_CACHE/node/$version-$1
    if [ ! -x "$dir/node_modules/$package/bin/node" ]; then
        log "    installing $package@$version from the npm registry"
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
        # --force: npm refuses a package for another cpu than this machine's.
        npm install --prefix "$dir.tmp" --no-save --no-audit --no-fund --force --loglevel=error "$package@$version" >/dev/null || return 1
        rm -rf "$dir" && mv "$dir.tmp" "$dir"
    fi
    echo "$dir/node_modules/$package/bin/node"
}

# The architectures the platform images are assembled for (lib/images/images.ts IMAGE_ARCHES follows).
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

# runtime_modules: a folder whose node_modules holds package-lock.json's packages without the dev
# ones, plus the compiler and Node's types (what `tsc -p tsconfig.build.json` needs), cached by the
# lock's sha256. The compiler comes from this checkout's node_modules, at the lock's version.
runtime_modules() {
    local lock=$SLIPWAY_ROOT/package-lock.json hash dir pkg want have
    hash=$(sha256sum "$lock" | cut -d' ' -f1)
    dir=$SLIPWAY_CACHE/node-modules/$hash
    if [ ! -f "$dir/.complete" ]; then
        rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
        cp "$SLIPWAY_ROOT/package.json" "$lock" "$dir.tmp/"
        (cd "$dir.tmp" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --prefer-offline --loglevel=error >/dev/null) || return 1
        for pkg in typescript @types/node undici-types; do
            want=$(jq -r --arg p "node_modules/$pkg" '.packages[$p].version // empty' "$lock")
            have=$(jq -r '.version' "$SLIPWAY_ROOT/node_modules/$pkg/package.json" 2>/dev/null || true)
            [ -n "$want" ] && [ "$have" = "$want" ] || { log "node_modules/$pkg is ${have:-missing}, package-lock.json pins ${want:-nothing}: run scripts/setup"; return 1; }
            rm -rf "$dir.tmp/node_modules/$pkg" && mkdir -p "$dir.tmp/node_modules/$(dirname "$pkg")"
            cp -a "$SLIPWAY_ROOT/node_modules/$pkg" "$dir.tmp/node_modules/$pkg"
        done
        rm -f "$dir.tmp/package.json" "$dir.tmp/package-lock.json"
        touch "$dir.tmp/.complete"
        rm -rf "$dir" && mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}
