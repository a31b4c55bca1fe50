import { createRequire } from "node:module";

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
