// Three tiers, each its own jest project:
//   unit         src/**/*.test.ts               pure logic, no I/O (also that of test/helpers and bench/)
//   integration  test/integration/**/*.test.ts   a real kube-apiserver + etcd (hack/controlplane.sh)
//   e2e          test/e2e/**/*.test.ts           a real Alertmanager and kubectl
// Run all with `npm test`, one with `npm run test:unit` (or :integration, :e2e).
const esm = {
  extensionsToTreatAsEsm: [".ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { useESM: true }] },
  testEnvironment: "node",
  // etcd's data (.snap files) and build output live under .local/: not ours to test or snapshot.
  modulePathIgnorePatterns: ["<rootDir>/.local/", "<rootDir>/dist/"],
};

export default {
  projects: [
    { ...esm, displayName: "unit", testMatch: ["<rootDir>/src/**/*.test.ts", "<rootDir>/test/helpers/**/*.test.ts", "<rootDir>/bench/**/*.test.ts"] },
    {
      ...esm,
      displayName: "integration",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      globalSetup: "<rootDir>/test/integration/helpers/global-setup.ts",
      globalTeardown: "<rootDir>/test/integration/helpers/global-teardown.ts",
    },
    {
      ...esm,
      displayName: "e2e",
      testMatch: ["<rootDir>/test/e2e/**/*.test.ts"],
      globalSetup: "<rootDir>/test/integration/helpers/global-setup.ts",
      globalTeardown: "<rootDir>/test/integration/helpers/global-teardown.ts",
    },
  ],
};
