// Every fuzz target, in report order: the unit tier and `npm run bench:fuzz` run this list.
import type { FuzzTarget } from "./harness";
import { simpleSigning, verificationTrees } from "./targets/cosign";
import { stackConfig } from "./targets/config";
import { forgeEvents } from "./targets/forge";
import { previewHooks } from "./targets/previewHook";
import { imageReferences, manifests, referrerLists, registryAnswers, tagLists } from "./targets/oci";
import { promotionTrees, revisionLabel } from "./targets/promotion";
import { retentionPlans } from "./targets/retention";
import { conformanceBundles, cosignBundles, trustedRoots } from "./targets/sigstore";

export const TARGETS: Array<FuzzTarget<never>> = [
    conformanceBundles,
    cosignBundles,
    trustedRoots,
    simpleSigning,
    verificationTrees,
    manifests,
    referrerLists,
    tagLists,
    registryAnswers,
    imageReferences,
    revisionLabel,
    promotionTrees,
    retentionPlans,
    stackConfig,
    forgeEvents,
    previewHooks,
] as Array<FuzzTarget<never>>;

/** Said in the report and the bench output: there is nothing to fuzz under this name. */
export const NOT_FUZZED: string[] = [];
