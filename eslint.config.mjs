// Lint: typescript-eslint's type-aware recommended rules. Floating promises are errors: in a
// Pulumi program an un-awaited promise is a resource that silently never registers.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
    { ignores: ["bin/**", "bin-bench/**", "node_modules/**", "coverage/**"] },
    js.configs.recommended,
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: { allowDefaultProject: ["eslint.config.mjs"] }, tsconfigRootDir: import.meta.dirname } },
        rules: {
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
            "no-new": "off",
        },
    },
    { files: ["**/*.mjs"], ...tseslint.configs.disableTypeChecked },
    // Plain CommonJS that runs inside a container with no build step (test/support/s3/readOnlyGate.js).
    {
        files: ["**/*.js"],
        ...tseslint.configs.disableTypeChecked,
        languageOptions: {
            ...tseslint.configs.disableTypeChecked.languageOptions,
            sourceType: "commonjs",
            globals: { require: "readonly", process: "readonly" },
        },
        rules: { ...tseslint.configs.disableTypeChecked.rules, "@typescript-eslint/no-require-imports": "off" },
    },
);
