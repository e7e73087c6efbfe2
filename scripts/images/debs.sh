# Sourced by scripts/images/assemble and scripts/setup: what an image for another architecture
# than this machine's takes from Debian. Its binaries cannot be installed or run here, so they
# come from that architecture's .debs, each pinned in toolchain.lock.json `debs` by version and
# sha256 like the disk images' (npm run bump -- deb <package>:<arch> adds or moves a pin), and
# their shared libraries are found by reading the ELF files (readelf), not by asking the loader
# (ldd runs only the host's binaries).
# shellcheck shell=bash

# deb_tree PACKAGE ARCH [VERSION]: prints the folder the pinned PACKAGE:ARCH is extracted in,
# fetching it once with apt (which checks the archive's signed index) and checking its pinned
# sha256. VERSION, when given, is what another part of the lock pins: the two must agree. Same
# cache as the disk images' (lib/diskimage/debs.ts): $SLIPWAY_CACHE/debs/<file>.deb, extracted
# in $SLIPWAY_CACHE/debs/x-<sha256>.
deb_tree() {
    local package=$1 arch=$2 want=${3:-} key version sha dir deb tmp got
    key="$package:$arch"
    version=$(jq -r --arg k "$key" '.debs[$k].version // empty' "$SLIPWAY_LOCK")
    sha=$(jq -r --arg k "$key" '.debs[$k].sha256 // empty' "$SLIPWAY_LOCK")
    if [ -z "$version" ] || [ -z "$sha" ]; then
        log "toolchain.lock.json pins no Debian package $key: npm run bump -- deb $key${want:+ $want}"; return 1
    fi
    if [ -n "$want" ] && [ "$want" != "$version" ]; then
        log "toolchain.lock.json pins $package $want for an image but $key $version under debs: move them together (npm run bump -- deb $key $want)"; return 1
    fi
    dir=$SLIPWAY_CACHE/debs/x-$sha
    if [ -d "$dir" ]; then echo "$dir"; return 0; fi
    deb=$SLIPWAY_CACHE/debs/${package}_${version//:/%3a}_$arch.deb
    mkdir -p "$SLIPWAY_CACHE/debs"
    tmp=$(mktemp -d "$SLIPWAY_CACHE/debs/.fetch-XXXXXX")
    if [ ! -f "$deb" ] || [ "$(sha256sum "$deb" | cut -d' ' -f1)" != "$sha" ]; then
        # apt drops to its own user to download: let it write here.
        chmod 755 "$tmp"
        if ! (cd "$tmp" && apt-get download -q "$key=$version") >"$tmp/apt.log" 2>&1; then
            log "apt could not fetch $key=$version: $(grep -m1 '^E:' "$tmp/apt.log" || tail -n 1 "$tmp/apt.log")"
            log "  is $arch an apt architecture (scripts/setup adds it), and does apt still serve it (apt-cache policy $key; npm run bump -- deb $key)?"
            rm -rf "$tmp"; return 1
        fi
        got=$(sha256sum "$tmp"/*.deb | cut -d' ' -f1)
        if [ "$got" != "$sha" ]; then
            log "$key=$version from apt has sha256 $got, but toolchain.lock.json pins $sha: refusing it (a re-upload, or a wrong pin: npm run bump -- deb $key)"
            rm -rf "$tmp"; return 1
        fi
        mv "$tmp"/*.deb "$deb"
    fi
    # Whole or not at all: a killed extraction leaves no half-filled folder behind.
    # Two assemblies may extract one package at once: the first to publish wins, both use it.
    if ! { dpkg-deb -x "$deb" "$tmp/tree" && mv -T "$tmp/tree" "$dir"; } && [ ! -d "$dir" ]; then
        rm -rf "$tmp"; return 1
    fi
    rm -rf "$tmp"
    echo "$dir"
}

# elf_machine ARCH: how readelf names ARCH's machine.
elf_machine() {
    case "$1" in
        amd64) echo "Advanced Micro Devices X86-64" ;;
        arm64) echo "AArch64" ;;
        *) log "no known ELF machine for architecture $1"; return 1 ;;
    esac
}

# check_elf FILE ARCH: FILE is an ELF executable or library for ARCH, else says what it is.
check_elf() {
    local want got
    want=$(elf_machine "$2") || return 1
    got=$(readelf -h "$1" 2>/dev/null | sed -n 's/^ *Machine: *//p')
    [ "$got" = "$want" ] || { log "$1 is built for ${got:-no ELF machine}, not $2 ($want)"; return 1; }
}

# tree_path TREE PATH: PATH inside the extracted package TREE with its symlinks resolved inside
# TREE too (an absolute link means the target's root, not this machine's).
tree_path() {
    local tree=$1 path=$2 target i
    for i in $(seq 1 16); do
        [ -L "$tree$path" ] || { echo "$path"; return 0; }
        target=$(readlink "$tree$path")
        case "$target" in /*) path=$target ;; *) path=$(dirname "$path")/$target ;; esac
        path=$(realpath -m -s "$path")
    done
    log "$tree$2: too many symbolic links"; return 1
}

# needed ELF: the sonames ELF links (its DT_NEEDED entries), one a line.
needed() { readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'; }

# add_foreign_libs ELF ARCH ROOT: copies into ROOT the ARCH shared libraries ELF needs, all of
# them (the NEEDED closure), and its program interpreter. A soname's package is the one that
# provides it on this machine (the same name for every architecture in Debian); its version and
# sha256 are the pin of <package>:ARCH in `debs`, so the image is the same wherever it is built.
add_foreign_libs() {
    local elf=$1 arch=$2 root=$3 interp triplet host_triplet so tree found rel package attempt
    interp=$(readelf -lW "$elf" | sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
    [ -n "$interp" ] || return 0 # statically linked
    triplet=$(gnu_triplet "$arch") || return 1
    host_triplet=$(gnu_triplet "$(host_arch)") || return 1
    local -a queue trees=()
    local -A seen=()
    # The loader comes with the C library: fetch that first, then what the binary names.
    mapfile -t queue < <(echo libc.so.6; needed "$elf")
    while [ "${#queue[@]}" -gt 0 ]; do
        so=${queue[0]}; queue=("${queue[@]:1}")
        [ -z "${seen[$so]:-}" ] || continue
        seen[$so]=1
        found=
        for attempt in known fetched; do
            for tree in "${trees[@]}"; do
                for rel in "/lib/$triplet/$so" "/usr/lib/$triplet/$so"; do
                    if [ -e "$tree$rel" ] || [ -L "$tree$rel" ]; then found=$tree; break 3; fi
                done
            done
            [ "$attempt" = known ] || break
            package=$(dpkg -S "/lib/$host_triplet/$so" "/usr/lib/$host_triplet/$so" 2>/dev/null | sed -n 's/^\([^:, ]*\)[^ ]*: .*/\1/p' | head -n 1 || true)
            [ -n "$package" ] || { log "$(basename "$elf") needs $so, and no package on this machine provides it for $(host_arch): pin the $arch package that does (npm run bump -- deb <package>:$arch) and install its $(host_arch) twin"; return 1; }
            tree=$(deb_tree "$package" "$arch") || { log "  ($(basename "$elf") needs $so, from $package)"; return 1; }
            trees+=("$tree")
        done
        [ -n "$found" ] || { log "$(basename "$elf") needs $so, and the pinned $package:$arch has no /lib/$triplet/$so nor /usr/lib/$triplet/$so"; return 1; }
        # The library goes where its package puts it, as a file (the loader looks for the soname).
        mkdir -p "$root$(dirname "$rel")"
        cp "$found$(tree_path "$found" "$rel")" "$root$rel"
        check_elf "$root$rel" "$arch" || return 1
        mapfile -t -O "${#queue[@]}" queue < <(needed "$root$rel")
    done
    # The interpreter, at the path the binary asks for, from the package that holds it (libc's).
    for tree in "${trees[@]}"; do
        if [ -e "$tree$(tree_path "$tree" "$interp")" ]; then
            mkdir -p "$root$(dirname "$interp")"
            cp "$tree$(tree_path "$tree" "$interp")" "$root$interp"
            return 0
        fi
    done
    log "$(basename "$elf") asks for the loader $interp, and none of its libraries' packages has it"; return 1
}
