import { KUBE_PROMETHEUS_CATALOGUE, UPSTREAM_RULE_COUNTS, type CatalogueAlert } from "../../test/fixtures/kube-prometheus-alerts";
import { parseAlertmanagerWebhook } from "./alertmanager";
import { resourceFingerprint } from "../dedup/fingerprint";
import { DEFAULT_SIGNAL_LIMITS } from "./limits";
import type { Signal } from "./signal";

/**
 * Every alert kube-prometheus ships (kubernetes-mixin, node-exporter,
 * kube-state-metrics, Prometheus, Alertmanager, the operator), labelled as
 * Prometheus labels it, sent as ONE Alertmanager group: each gets the target
 * the catalogue expects, and two different problems never share a fingerprint.
 */

const catalogue = KUBE_PROMETHEUS_CATALOGUE;
const alertname = (a: CatalogueAlert): string => a.labels.alertname;
/** What makes two catalogue entries one problem: alertname, target, and (for no resource) the problem in words. */
const problemOf = (a: CatalogueAlert): string => JSON.stringify([alertname(a), a.target.kind, a.target.namespace, a.target.name, a.problem ?? ""]);

function signalsOfOneGroup(): Signal[] {
  const payload = { version: "4", status: "firing", receiver: "rr-gateway", groupKey: "{}:{}", alerts: catalogue.map(a => ({ status: "firing", labels: a.labels })) };
  return parseAlertmanagerWebhook(payload, { ...DEFAULT_SIGNAL_LIMITS, maxAlerts: 1_000 }).alerts.map((parsed, i) => {
    if (!parsed.ok) throw new Error(`${alertname(catalogue[i])} was refused: ${parsed.error.message}`);
    return parsed.signal;
  });
}

describe("the kube-prometheus alert catalogue", () => {
  const signals = signalsOfOneGroup();

  it("holds one entry per upstream alerting rule", () => {
    const perFile: Record<string, number> = {};
    for (const a of catalogue) perFile[a.file] = (perFile[a.file] ?? 0) + 1;
    expect(perFile).toEqual(UPSTREAM_RULE_COUNTS);
  });

  it.each(catalogue.map((a, i) => [`${alertname(a)} (${a.labels.severity})`, i] as const))("%s gets its expected target", (_name, i) => {
    const { kind, name, namespace } = signals[i].target;
    expect({ kind, name, namespace }).toEqual(catalogue[i].target);
  });

  it("describes in words what each alert without a resource is about (the fixture explains every Unknown)", () => {
    const unexplained = catalogue.filter(a => a.target.kind === "Unknown" && !a.problem).map(alertname);
    expect(unexplained).toEqual([]);
  });

  it("gives two entries the same fingerprint exactly when they are the same problem", () => {
    const byFingerprint = new Map<string, Set<string>>();
    const byProblem = new Map<string, Set<string>>();
    signals.forEach((signal, i) => {
      const fingerprint = resourceFingerprint(signal);
      const problem = problemOf(catalogue[i]);
      byFingerprint.set(fingerprint, (byFingerprint.get(fingerprint) ?? new Set()).add(problem));
      byProblem.set(problem, (byProblem.get(problem) ?? new Set()).add(fingerprint));
    });
    const merged = [...byFingerprint.values()].filter(problems => problems.size > 1).map(problems => [...problems]);
    const split = [...byProblem.entries()].filter(([, fingerprints]) => fingerprints.size > 1).map(([problem]) => problem);
    expect({ merged, split }).toEqual({ merged: [], split: [] });
  });
});
