#!/usr/bin/env bash
# Builds traefik from github.com/traefik/traefik/v3 (main ./cmd/traefik). The 3.6 line is pinned:
# 3.7's dependencies (go-acme/lego v5, a go-http-auth fork pseudo-version) are refused by the
# Go module proxy here. The web UI (webui/static, built by npm upstream) is absent from the
# zip; Traefik runs without it (empty dashboard).
. "$(dirname "$0")/lib.sh"
recipe_start traefik "$@"
copy_module "$TOOL_MODULE_DIR" "$work/src"
# Same -X as upstream's Makefile, so `traefik version` reports the pinned version.
go_build "$work/src" traefik ./cmd/traefik \
    "-s -w -X github.com/traefik/traefik/v3/pkg/version.Version=$TOOL_VERSION -X github.com/traefik/traefik/v3/pkg/version.Codename=cheddar"
