import { KUBERNETES_FEATURES, MIN_KUBERNETES_VERSION, olderThan, parseKubernetesVersion, servedVersion, versionProblem } from "./kubernetes-version";

describe("the minimum Kubernetes version", () => {
  it("is the newest release among those where a feature the install uses is on by default", () => {
    const newest = KUBERNETES_FEATURES.map(f => parseKubernetesVersion(f.onByDefault)!).reduce((a, b) => (olderThan(a, b) ? b : a));
    expect(`${newest.major}.${newest.minor}`).toBe(MIN_KUBERNETES_VERSION);
    for (const f of KUBERNETES_FEATURES) expect(olderThan(parseKubernetesVersion(f.ga)!, parseKubernetesVersion(f.onByDefault)!)).toBe(false);
  });

  it.each([
    ["v1.34.4", { major: 1, minor: 34 }],
    ["v1.31.4-eks-1a2b3c", { major: 1, minor: 31 }],
    ["v1.30.2+k3s1", { major: 1, minor: 30 }],
    ["1.31", { major: 1, minor: 31 }],
    ["2.0", { major: 2, minor: 0 }],
    ["", undefined],
    ["latest", undefined],
  ])("reads %p as %p", (text, expected) => {
    expect(parseKubernetesVersion(text)).toEqual(expected);
  });

  it("reads from /version the release an API server serves: the emulated one if it emulates an older release, its own otherwise", () => {
    expect(servedVersion({ major: "1", minor: "34", emulationMajor: "1", emulationMinor: "31", gitVersion: "v1.34.4" })).toEqual({ major: 1, minor: 31 });
    expect(servedVersion({ major: "1", minor: "31+", gitVersion: "v1.31.5-gke.1200" })).toEqual({ major: 1, minor: 31 });
    expect(servedVersion({ major: "1", minor: "30+", gitVersion: "" })).toEqual({ major: 1, minor: 30 });
    expect(servedVersion({})).toBeUndefined();
  });

  it("accepts the minimum and anything newer", () => {
    for (const v of ["1.31", "1.32", "1.34", "1.40", "2.0"]) expect(versionProblem(parseKubernetesVersion(v)!)).toBeUndefined();
  });

  it("refuses an older release, naming what it lacks and what to do", () => {
    expect(versionProblem({ major: 1, minor: 30 })).toBe(
      "the Kubernetes API server serves 1.30, older than 1.31, the oldest release rr-gateway supports: it lacks field selectors on the RR's spec.signalFingerprint (how every occurrence of a problem is found) (CustomResourceFieldSelectors, on by default since 1.31). Upgrade the cluster to 1.31 or later (docs/deploy.md#kubernetes-version)",
    );
    const older = versionProblem({ major: 1, minor: 28 })!;
    expect(older).toContain("CustomResourceFieldSelectors");
    expect(older).toContain("PodLifecycleSleepAction");
    expect(older).not.toContain("CRDValidationRules");
  });
});
