# Sourced by the CI step images' entrypoints: trust the site's private CA besides the system's.
# Woodpecker hands every step SLIPWAY_SITE_CA (base64 PEM; the CiStack sets it server-wide).
# shellcheck shell=sh
if [ -n "${SLIPWAY_SITE_CA:-}" ]; then
    bundle=/tmp/slipway-ca-bundle.pem
    cat /etc/ssl/certs/ca-certificates.crt >"$bundle"
    printf '%s' "$SLIPWAY_SITE_CA" | base64 -d >>"$bundle" || { echo "SLIPWAY_SITE_CA is not base64: the CI server's WOODPECKER_ENVIRONMENT is wrong (pulumi up sets it)" >&2; exit 1; }
    export SSL_CERT_FILE="$bundle" GIT_SSL_CAINFO="$bundle"
fi
