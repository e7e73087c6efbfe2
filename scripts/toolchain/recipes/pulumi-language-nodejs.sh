#!/usr/bin/env bash
# Builds pulumi-language-nodejs, the Node.js language host the Pulumi CLI starts to run programs.
#
# Why this module: since sdk v3.69.0 the language host is its own Go module
# (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), and the Go proxy reachable
# here serves none of its versions. Up to v3.68.0 it lived inside github.com/pulumi/pulumi/sdk/v3,
# which the proxy does serve, so TOOL_MODULE is sdk/v3 and the build target is a folder inside it.
# The CLI talks to the host over gRPC and falls back when a newer RPC is unimplemented; v3.68.0 was
# verified with CLI v3.248.0 + @pulumi/pulumi 3.248.0 (up/preview/update/destroy, dynamic resources).
. "$(dirname "$0")/lib.sh"
recipe_start pulumi-language-nodejs "$@"
src=$work/sdk
copy_module "$TOOL_MODULE_DIR" "$src"
[ -f "$src/nodejs/cmd/pulumi-language-nodejs/main.go" ] \
    || fail "$TOOL_MODULE@$TOOL_MODULE_VERSION has no nodejs/cmd/pulumi-language-nodejs (only sdk/v3 <= v3.68.0 does)"
# The host reports this version to the CLI (`pulumi about` lists "language nodejs 3.68.0").
# Dependencies resolve through the proxy and are checked against the go.sum shipped in the zip.
go_build "$src" pulumi-language-nodejs ./nodejs/cmd/pulumi-language-nodejs "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$TOOL_MODULE_VERSION"
