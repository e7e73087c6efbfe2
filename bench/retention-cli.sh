#!/usr/bin/env bash
# The same prune as Slipway's, the way a shell script would do it with crane: list the tags,
# read each tag's manifest for its group and creation annotations, keep the newest $KEEP per
# group, delete the rest by digest. Prints "<manifests read> <deleted>".
#   bench/retention-cli.sh <host:port> <repository> <keep> <parallelism>
set -euo pipefail
host=$1 repo=$2 keep=$3 jobs=$4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

crane ls --insecure "$host/$repo" >"$work/tags"
# "<created> <group> <digest>" per tag: one crane call per tag, the digest hashed from the bytes.
# shellcheck disable=SC2016 # expanded by the inner shell
xargs -P "$jobs" -I{} sh -c '
    f=$(mktemp) && crane manifest --insecure "$1/$2:{}" >"$f" || exit 255
    printf "%s sha256:%s\n" "$(jq -r ".annotations[\"org.opencontainers.image.created\"] + \" \" + .annotations[\"dev.slipway.family\"] + \"/\" + .annotations[\"dev.slipway.arch\"]" "$f")" "$(sha256sum <"$f" | cut -d" " -f1)"
    rm -f "$f"
' _ "$host" "$repo" <"$work/tags" >"$work/index"
# Newest first within each group; everything after the first $KEEP of a group goes.
sort -k2,2 -k1,1r "$work/index" | awk -v keep="$keep" '{ n[$2]++; if (n[$2] > keep) print $3 }' | sort -u >"$work/doomed"
xargs -P "$jobs" -I{} crane delete --insecure "$host/$repo@{}" <"$work/doomed"
echo "$(wc -l <"$work/index") $(wc -l <"$work/doomed")"
