/**
 * The oldest Kubernetes release rr-gateway supports, and why: the newest
 * features its install relies on, each with the release where it is on by
 * default (beta) and where it is GA. The minimum is the newest of the
 * "on by default" releases; docs/deploy.md and the README state it, the build
 * test checks the manifests against an API server emulating it, and the
 * gateway stays unready on an older API server.
 */
export interface KubernetesFeature {
  /** What the install uses, in words. */
  use: string;
  /** Where: which object and field. */
  where: string;
  /** The feature gate, for operators who look it up. */
  gate: string;
  /** "1.31": the first release with the feature on by default. */
  onByDefault: string;
  /** The release where it went GA (the gate locked on). */
  ga: string;
}

export const KUBERNETES_FEATURES: readonly KubernetesFeature[] = [
  {
    use: "field selectors on the RR's spec.signalFingerprint (how every occurrence of a problem is found)",
    where: "CustomResourceDefinition remediationrequests.kubernaut.ai: spec.versions[].selectableFields",
    gate: "CustomResourceFieldSelectors",
    onByDefault: "1.31",
    ga: "1.32",
  },
  {
    use: "a preStop sleep, so endpoints drop a gateway pod before it stops taking signals",
    where: "the gateway's Deployment: containers[].lifecycle.preStop.sleep",
    gate: "PodLifecycleSleepAction",
    onByDefault: "1.30",
    ga: "1.34",
  },
  {
    use: "CEL validation rules, including transition rules (spec immutable: self == oldSelf)",
    where: "CustomResourceDefinition remediationrequests.kubernaut.ai: x-kubernetes-validations",
    gate: "CRDValidationRules",
    onByDefault: "1.25",
    ga: "1.29",
  },
];

/** The oldest supported Kubernetes release ("major.minor"): the newest onByDefault above. */
export const MIN_KUBERNETES_VERSION = "1.31";

export interface KubernetesVersion {
  major: number;
  minor: number;
}

/** "1.31", "v1.31.4", "v1.31.4-eks-1a2b", "1.31+" → {1, 31}; undefined when it is no version. */
export function parseKubernetesVersion(text: string | undefined): KubernetesVersion | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(text ?? "");
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/** a < b */
export function olderThan(a: KubernetesVersion, b: KubernetesVersion): boolean {
  return a.major !== b.major ? a.major < b.major : a.minor < b.minor;
}

export const formatVersion = (v: KubernetesVersion): string => `${v.major}.${v.minor}`;

/** The fields of the API server's /version this reads. */
export interface VersionInfo {
  major?: string;
  minor?: string;
  emulationMajor?: string;
  emulationMinor?: string;
  gitVersion?: string;
}

/**
 * The release whose features an API server offers, from its /version: the
 * emulated one when it emulates an older release (--emulated-version), else
 * its own (gitVersion; major and minor as providers like GKE write them, "31+").
 */
export function servedVersion(info: VersionInfo): KubernetesVersion | undefined {
  if (info.emulationMajor && info.emulationMinor) return parseKubernetesVersion(`${info.emulationMajor}.${parseInt(info.emulationMinor, 10)}`);
  return parseKubernetesVersion(info.gitVersion) ?? parseKubernetesVersion(`${info.major ?? ""}.${parseInt(info.minor ?? "", 10)}`);
}

/**
 * Why an API server serving `served` cannot run rr-gateway (the features it
 * lacks and what to do), or undefined when it is recent enough.
 */
export function versionProblem(served: KubernetesVersion, minimum: string = MIN_KUBERNETES_VERSION): string | undefined {
  const min = parseKubernetesVersion(minimum);
  if (!min || !olderThan(served, min)) return undefined;
  const missing = KUBERNETES_FEATURES.filter(f => olderThan(served, parseKubernetesVersion(f.onByDefault)!));
  const lacks = missing.length > 0 ? `: it lacks ${missing.map(f => `${f.use} (${f.gate}, on by default since ${f.onByDefault})`).join("; ")}` : "";
  return `the Kubernetes API server serves ${formatVersion(served)}, older than ${minimum}, the oldest release rr-gateway supports${lacks}. Upgrade the cluster to ${minimum} or later (docs/deploy.md#kubernetes-version)`;
}
