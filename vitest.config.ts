import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/**/*.test.ts"],
          exclude: ["test/e2e/**", "node_modules/**"],
          testTimeout: 30000,
        },
      },
      {
        test: {
          name: "fuzz",
          include: ["test/fuzz/**/*.fuzz.ts"],
          testTimeout: 6 * 3600_000,
        },
      },
      {
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.e2e.test.ts"],
          fileParallelism: false,
          testTimeout: 300000,
          hookTimeout: 300000,
        },
      },
    ],
  },
});
