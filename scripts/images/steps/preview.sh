#!/bin/sh
# slipway-preview — the platform CI's pull-request preview (.woodpecker/preview.yaml), run in the
# checkout Woodpecker made of the pull request's head, in the ci-preview image (Node.js, the Pulumi
# CLI and plugins, crane, and Slipway's dependencies at the image's package-lock.json):
#  1. builds Slipway with the image's dependencies (a checkout whose package-lock.json differs is
#     refused: the image would not be what the lock says);
#  2. runs `pulumi preview` of $SLIPWAY_STACK on its S3 backend and saves the plan;
#  3. pushes the plan to the platform registry (slipway-previews/<stack>:<head SHA>) and keeps ONE
#     comment on the pull request (edited on every push): what the change does and the plan to
#     apply it with, or, when the preview fails, its errors and their fixes (the step then fails).
# Everything it needs comes from the CI: secrets set by `npm run ci:repo -- … --preview <stack>`
# (SLIPWAY_STACK, PULUMI_BACKEND_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
# PULUMI_CONFIG_PASSPHRASE, SLIPWAY_FORGE_TOKEN, REGISTRY_USERNAME, REGISTRY_PASSWORD), and the
# server-wide SLIPWAY_SITE_CA, SLIPWAY_IMAGES and SLIPWAY_REGISTRY the platform sets. Values are
# never printed.
set -eu
fix="set it with: npm run ci:repo -- --stack <platform stack> <owner/repo> --preview <stack>"
: "${CI_COMMIT_SHA:?the preview runs in a Woodpecker pipeline}"
: "${SLIPWAY_STACK:?the slipway_stack secret is not set: $fix}"
: "${PULUMI_BACKEND_URL:?the pulumi_backend_url secret is not set: $fix}"
: "${AWS_ACCESS_KEY_ID:?the aws_access_key_id secret is not set: $fix}" "${AWS_SECRET_ACCESS_KEY:?the aws_secret_access_key secret is not set: $fix}"
: "${PULUMI_CONFIG_PASSPHRASE?the pulumi_config_passphrase secret is not set: $fix}"
: "${SLIPWAY_FORGE_TOKEN:?the slipway_forge_token secret is not set: $fix}"
: "${SLIPWAY_IMAGES:?SLIPWAY_IMAGES is not set: the platform sets it with ci.previews (pulumi up)}"
# shellcheck source=site-ca.sh
. /usr/local/lib/slipway/site-ca.sh
# Node's fetch (the comment) and the S3 client trust the site's CA too.
[ -z "${SSL_CERT_FILE:-}" ] || export NODE_EXTRA_CA_CERTS="$SSL_CERT_FILE"

want=$(cat /opt/slipway/package-lock.sha256)
have=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$want" != "$have" ]; then
    echo "slipway-preview: this checkout's package-lock.json ($have) is not the one the preview image was assembled with ($want): run scripts/setup and pulumi up on the platform's host after merging the dependency change" >&2
    exit 1
fi
rm -rf node_modules && ln -s /opt/slipway/node_modules node_modules
out=/tmp/slipway-preview
mkdir -p "$out"
# A head that does not compile still gets its comment, with tsc's errors: tsc writes the scripts
# regardless of type errors.
if ! node node_modules/typescript/bin/tsc -p tsconfig.build.json >"$out/tsc.log" 2>&1; then
    cat "$out/tsc.log" >&2
    { echo "error: Slipway does not compile at this head (tsc -p tsconfig.build.json):"; cat "$out/tsc.log"; } >"$out/preview.err"
    node bin/scripts/previewComment.js --failed "$out/preview.err" --stack "$SLIPWAY_STACK" --head "$CI_COMMIT_SHA" >"$out/comment.md" \
        && node bin/scripts/postPreviewComment.js "$out/comment.md" || echo "slipway-preview: the comment could not be posted either" >&2
    exit 1
fi

# The CI holds no key or socket of the site's hosts: providers diff against the state instead of
# asking them (dynamic-providers/projectLib hostsOutOfReach), and the comment says so.
export SLIPWAY_PREVIEW_WITHOUT_HOSTS=true
status=0
pulumi preview --stack "$SLIPWAY_STACK" --non-interactive --json --save-plan "$out/plan.json" >"$out/preview.json" 2>"$out/preview.err" || status=$?
if [ "$status" -ne 0 ]; then
    cat "$out/preview.err" >&2
    node bin/scripts/previewComment.js --failed "$out/preview.err" "$out/preview.json" --stack "$SLIPWAY_STACK" --head "$CI_COMMIT_SHA" >"$out/comment.md"
    node bin/scripts/postPreviewComment.js "$out/comment.md"
    echo "slipway-preview: the preview of $SLIPWAY_STACK failed (exit $status); the pull request's comment has its errors" >&2
    exit 1
fi

# The plan, as the one layer of an image in the platform registry: `crane export` gives it back.
plan=""
if [ -n "${SLIPWAY_REGISTRY:-}" ] && [ -n "${REGISTRY_USERNAME:-}" ] && [ -n "${REGISTRY_PASSWORD:-}" ]; then
    export DOCKER_CONFIG=/tmp/slipway-docker
    mkdir -p "$DOCKER_CONFIG"
    printf '%s' "$REGISTRY_PASSWORD" | crane auth login "$SLIPWAY_REGISTRY" -u "$REGISTRY_USERNAME" --password-stdin >/dev/null
    tar -C "$out" -cf "$out/plan.tar" plan.json
    target="$SLIPWAY_REGISTRY/slipway-previews/$SLIPWAY_STACK:$CI_COMMIT_SHA"
    pushed=$(crane append --new_layer "$out/plan.tar" --new_tag "$target" 2>/dev/null)
    plan="${target%:*}@${pushed#*@}"
    echo "plan: $plan"
else
    echo "slipway-preview: no registry credentials (registry_username, registry_password) or SLIPWAY_REGISTRY: the plan is not kept" >&2
fi
# The log has every change; the comment, what fits.
node bin/scripts/previewComment.js --log "$out/preview.json"
node bin/scripts/previewComment.js "$out/preview.json" --stack "$SLIPWAY_STACK" --head "$CI_COMMIT_SHA" ${plan:+--plan "$plan"} >"$out/comment.md"
node bin/scripts/postPreviewComment.js "$out/comment.md"
