#!/usr/bin/env bash
# Builds pulumi-resource-command, the provider behind the npm package @pulumi/command.
#
# Why this module version: the provider is the nested module github.com/pulumi/pulumi-command/provider,
# which has no tags of its own, so it exists only as pseudo-versions, and the Go proxy reachable
# here serves exactly one: v0.0.0-20240112221901-2fe00b62fa4d, a commit 18 commits after the
# v0.9.2 release whose provider/ differs from v0.9.2 only in go.mod/go.sum and tests (dependency
# upgrades). That is why this builds plugin version 0.9.2. (github.com/pulumi/pulumi-command@v1.2.1
# is served too, but as a root module its zip leaves out provider/, so nothing can be built from it.)
#
# Why the extra module: with that commit's pulumi-go-provider (v0.13.1-0.20231204212757-ab334266917c),
# the provider panics (nil dereference in middleware/cancel drain) when Pulumi CLI v3.248.0 calls
# Cancel at the end of every update, so the update fails. pulumi-go-provider v0.15.0 rewrote that
# middleware and compiles unchanged against this provider code. TOOL_EXTRA_DIR_0 must be that module.
# The lock also lists the two modules that upgrade drags in (cloudflare/circl v1.3.7,
# google.golang.org/protobuf v1.33.0) only so the driver sum-checks them; the build finds them in
# the module cache by itself.
. "$(dirname "$0")/lib.sh"
recipe_start pulumi-resource-command "$@"
# The extra module's version is the part of its module-cache folder name after '@'.
gp_dir=$(basename "${TOOL_EXTRA_DIR_0:?}")
[[ $gp_dir == pulumi-go-provider@v* ]] || fail "TOOL_EXTRA_DIR_0 is not github.com/pulumi/pulumi-go-provider: $TOOL_EXTRA_DIR_0"
src=$work/provider
copy_module "$TOOL_MODULE_DIR" "$src"
# Swap in the fixed pulumi-go-provider (already downloaded and sum-checked by the driver).
(cd "$src" && go mod edit -require="github.com/pulumi/pulumi-go-provider@${gp_dir#*@}") || fail "go mod edit failed"
# Same build as upstream's Makefile: the version is stamped into pkg/version and reported to the CLI.
go_build "$src" pulumi-resource-command ./cmd/pulumi-resource-command "-X github.com/pulumi/pulumi-command/provider/pkg/version.Version=$TOOL_VERSION"
