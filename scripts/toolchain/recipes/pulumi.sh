#!/usr/bin/env bash
# Builds the Pulumi CLI from github.com/pulumi/pulumi/pkg/v3 (main ./cmd/pulumi).
. "$(dirname "$0")/lib.sh"
recipe_start pulumi "$@"
# pkg/v3's go.mod replaces sdk/v3 with ../sdk, so `go install pkg@v` cannot work: lay both
# modules out side by side as in the pulumi repository (extra module 0 is sdk/v3).
copy_module "$TOOL_MODULE_DIR" "$work/pkg"
copy_module "$TOOL_EXTRA_DIR_0" "$work/sdk"
# Tags and -X as in upstream's release build, so `pulumi version` reports the pin.
go_build "$work/pkg" pulumi ./cmd/pulumi "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$TOOL_VERSION" -tags osusergo,grpcnotrace
