// Where the sigstore conformance vectors live: vendored, with their licence and upstream commit
// (test/fixtures/sigstore-conformance/PROVENANCE.md); scripts/vendor-conformance refreshes them.
import { join } from "node:path";
import { ROOT } from "./prerequisites";

export const CONFORMANCE = join(ROOT, "test", "fixtures", "sigstore-conformance", "bundle-verify");
