import { defineConfig } from "vitest/config";

// Three tiers, run in order by `npm test`. Integration and e2e check their prerequisites in a
// global setup and fail loudly when something is missing: a tier is never skipped silently.
export default defineConfig({
    test: {
        projects: [
            { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
            {
                test: {
                    name: "integration",
                    include: ["test/integration/**/*.test.ts"],
                    globalSetup: ["test/prerequisites.integration.ts"],
                    testTimeout: 60_000,
                    fileParallelism: false,
                },
            },
            {
                test: {
                    name: "e2e",
                    include: ["test/e2e/**/*.test.ts"],
                    globalSetup: ["test/prerequisites.e2e.ts"],
                    testTimeout: 300_000,
                    hookTimeout: 300_000,
                    fileParallelism: false,
                },
            },
        ],
    },
});
