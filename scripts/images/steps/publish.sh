#!/bin/sh
# slipway-publish DIR REPOSITORY:TAG [ENTRYPOINT…] — the platform CI's build step: packs DIR as the
# one layer of an image (no base, no daemon; ENTRYPOINT its program), labels it with the commit it was built from
# (org.opencontainers.image.revision=$CI_COMMIT_SHA), pushes it, and signs it by digest with the
# site's cosign key. Prints the pushed reference (repository@sha256:…) last.
# Credentials come from the pipeline's secrets, as environment values, never arguments:
# REGISTRY_USERNAME, REGISTRY_PASSWORD, COSIGN_PRIVATE_KEY (PEM) and COSIGN_PASSWORD.
set -eu
[ $# -ge 2 ] || { echo "usage: slipway-publish DIR REPOSITORY:TAG [ENTRYPOINT…]" >&2; exit 2; }
dir=$1 target=$2
shift 2
entrypoint=""
for arg in "$@"; do entrypoint="${entrypoint:+$entrypoint,}$arg"; done
: "${CI_COMMIT_SHA:?the build step runs in a Woodpecker pipeline}"
: "${REGISTRY_USERNAME:?set the registry_username secret}" "${REGISTRY_PASSWORD:?set the registry_password secret}"
: "${COSIGN_PRIVATE_KEY:?set the cosign_private_key secret}" "${COSIGN_PASSWORD?set the cosign_password secret}"
[ -d "$dir" ] || { echo "slipway-publish: $dir is not a directory" >&2; exit 1; }
# shellcheck source=site-ca.sh
. /usr/local/lib/slipway/site-ca.sh
registry=${target%%/*}
export DOCKER_CONFIG=/tmp/slipway-docker
mkdir -p "$DOCKER_CONFIG"
printf '%s' "$REGISTRY_PASSWORD" | crane auth login "$registry" -u "$REGISTRY_USERNAME" --password-stdin >/dev/null
layer=/tmp/slipway-layer.tar
tar -C "$dir" -cf "$layer" .
crane append --new_layer "$layer" --new_tag "$target" >/dev/null 2>&1
# This node's platform (an empty base names none, and an engine needs one), and the label promotion
# checks: this image was built from this commit.
case $(uname -m) in x86_64) platform=linux/amd64 ;; aarch64) platform=linux/arm64 ;; *) echo "slipway-publish: unknown machine $(uname -m)" >&2; exit 1 ;; esac
digest=$(crane mutate "$target" --set-platform "$platform" --label "org.opencontainers.image.revision=$CI_COMMIT_SHA" ${entrypoint:+--entrypoint "$entrypoint"} --tag "$target" 2>/dev/null)
ref="${target%:*}@${digest#*@}"
cosign signing-config create --out /tmp/slipway-signing-config.json
cosign sign --key env://COSIGN_PRIVATE_KEY --signing-config /tmp/slipway-signing-config.json --yes "$ref" >/dev/null
echo "$ref"
