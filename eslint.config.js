import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "data/", ".tmp/", "dist/", "packages/*/dist/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "no-console": ["error", { allow: ["error"] }],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true }],
      "@typescript-eslint/consistent-type-imports": "error",
      // Node runs TypeScript by stripping types: only erasable syntax (no enums, namespaces, parameter properties).
      "no-restricted-syntax": ["error", "TSEnumDeclaration", "TSModuleDeclaration:not([declare=true])", "TSParameterProperty"],
    },
  },
  {
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["fastify", "kysely", "pg", "*/store/*", "*/dialects/*", "node:http"] }],
    },
  },
  {
    // Tests read JSON responses whose shape is what they assert.
    files: ["test/**/*.ts", "packages/*/test/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
  {
    // The bin launcher and the build script are plain JavaScript, run by whatever Node a shell has.
    files: ["bin/**/*.js", "scripts/**/*.js"],
    languageOptions: { globals: { process: "readonly", URL: "readonly" } },
  },
  {
    files: ["src/cli.ts", "bench/**/*.ts"],
    rules: { "no-console": "off" },
  },
);
