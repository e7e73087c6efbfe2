#!/bin/sh
# The platform CI's clone step (WOODPECKER_DEFAULT_CLONE_IMAGE): fetches exactly the commit the
# pipeline is for into the workspace, over HTTPS with the forge's netrc credentials, trusting the
# site's CA. Woodpecker's own clone plugin cannot be pulled here; this replaces it.
set -eu
: "${CI_REPO_CLONE_URL:?the clone step runs in a Woodpecker pipeline}" "${CI_COMMIT_SHA:?}" "${CI_WORKSPACE:?}"
# shellcheck source=site-ca.sh
. /usr/local/lib/slipway/site-ca.sh
if [ -n "${CI_NETRC_MACHINE:-}" ]; then
    # Only this step gets the credentials (a trusted clone image); they stay in its container.
    umask 077
    printf 'machine %s\nlogin %s\npassword %s\n' "$CI_NETRC_MACHINE" "${CI_NETRC_USERNAME:-}" "${CI_NETRC_PASSWORD:-}" >"$HOME/.netrc"
fi
mkdir -p "$CI_WORKSPACE" && cd "$CI_WORKSPACE"
git init -q --template= .
git remote add origin "$CI_REPO_CLONE_URL" 2>/dev/null || git remote set-url origin "$CI_REPO_CLONE_URL"
# The commit itself, not the branch's tip (a later push must not change what this pipeline builds).
git fetch -q --depth=1 origin "$CI_COMMIT_SHA"
git -c advice.detachedHead=false checkout -q FETCH_HEAD
[ "$(git rev-parse HEAD)" = "$CI_COMMIT_SHA" ] || { echo "fetched $(git rev-parse HEAD), not $CI_COMMIT_SHA" >&2; exit 1; }
echo "cloned $CI_REPO_CLONE_URL at $CI_COMMIT_SHA"
