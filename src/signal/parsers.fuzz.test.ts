import fc from "fast-check";
import { parseAlertmanagerWebhook } from "./alertmanager";
import { resourceFingerprint } from "../dedup/fingerprint";
import { parseKubernetesEvent } from "./kubernetes-event";
import { DEFAULT_SIGNAL_LIMITS } from "./limits";
import { remediationRequestName } from "../dedup/naming";
import { newRemediationRequest } from "../dedup/new-rr";
import type { Signal } from "./signal";
import { SignalValidationError } from "./validation-error";
import { metadataViolations, remediationRequestSchema, violations, type Schema } from "../../test/helpers/crd-schema";
import { bodyText, eventPayload, webhookPayload } from "../../test/helpers/fuzz-payloads";
import { heapUsedAfterGc, MiB } from "../../test/helpers/heap";
import { bySoak, recordSoakFigures, SOAK } from "../../test/helpers/soak";

/**
 * Fuzzing the parsers with generated payloads (valid, near-valid, hostile),
 * as JSON text the way they arrive. Every payload is either accepted, and then
 * the RemediationRequest built from it fits the CRD as it is, or refused with
 * a SignalValidationError whose message stays short. Nothing else may happen:
 * no other exception, no prototype pollution, no memory kept.
 *
 * `npm test` runs a few thousand payloads; `npm run test:soak` over 100,000.
 */

const RUNS = bySoak(1_500, 50_000); // per endpoint: 3,000 in all, 100,000 in the soak run
const MAX_MESSAGE = 1_024;
const specSchema = (remediationRequestSchema().properties as Record<string, Schema>).spec;
const tally = { payloads: 0, accepted: 0, refused: 0, invalidJson: 0, signals: 0 };

function parseText(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    tally.invalidJson++;
    return { ok: false };
  }
}

function expectRefusal(err: unknown): void {
  if (!(err instanceof SignalValidationError)) throw err;
  expect(err.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
  expect(err.field).not.toBe("");
}

/** The RR a signal's first occurrence would create, as JSON on the wire, must fit the CRD and metadata rules. */
function expectFitsCrd(signal: Signal): void {
  tally.signals++;
  const fingerprint = resourceFingerprint(signal);
  const rr = newRemediationRequest({ name: remediationRequestName(fingerprint), signal, fingerprint, strategy: "resource", receivedAt: new Date().toISOString() });
  const wire = JSON.parse(JSON.stringify(rr)) as typeof rr;
  const problems = [...violations(wire.spec, specSchema, "spec"), ...metadataViolations(wire.metadata)];
  if (problems.length > 0) throw new Error(`the RR would be refused by the API server:\n  ${problems.join("\n  ")}`);
  // What went out is what the API server keeps: no lone surrogates for Go's decoder to replace.
  // (An escaped backslash before "ud800" is text, as in originalPayload's JSON: only an odd run of backslashes escapes.)
  expect(JSON.stringify(wire.spec)).not.toMatch(/(?<!\\)(?:\\\\)*\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
}

describe("fuzzing the signal parsers", () => {
  const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  let heapBefore = 0;

  beforeAll(() => {
    heapBefore = heapUsedAfterGc();
  });

  afterAll(() => {
    if (SOAK) process.stdout.write(`parser fuzz: ${JSON.stringify(tally)}\n`);
    recordSoakFigures("parsers-fuzz", { runsPerEndpoint: RUNS, tally });
  });

  it("accepts an Alertmanager payload only when every RR built from it fits the CRD, and otherwise refuses it with a short message", () => {
    fc.assert(
      fc.property(bodyText(webhookPayload), text => {
        tally.payloads++;
        const body = parseText(text);
        if (!body.ok) return;
        try {
          const webhook = parseAlertmanagerWebhook(body.value, DEFAULT_SIGNAL_LIMITS);
          tally.accepted++;
          for (const alert of webhook.alerts) {
            if (alert.ok) expectFitsCrd(alert.signal);
            else expectRefusal(alert.error);
          }
        } catch (err) {
          tally.refused++;
          expectRefusal(err);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("accepts a Kubernetes event only when the RR built from it fits the CRD, and otherwise refuses it with a short message", () => {
    fc.assert(
      fc.property(bodyText(eventPayload), text => {
        tally.payloads++;
        const body = parseText(text);
        if (!body.ok) return;
        try {
          expectFitsCrd(parseKubernetesEvent(body.value, DEFAULT_SIGNAL_LIMITS));
          tally.accepted++;
        } catch (err) {
          tally.refused++;
          expectRefusal(err);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("saw valid, refused and broken payloads alike", () => {
    expect(tally.accepted).toBeGreaterThan(RUNS / 10);
    expect(tally.refused).toBeGreaterThan(RUNS / 10);
    expect(tally.invalidJson).toBeGreaterThan(0);
  });

  it("left Object.prototype alone (keys such as __proto__ stayed plain data)", () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("kept no memory", () => {
    expect(heapUsedAfterGc() - heapBefore).toBeLessThan(32 * MiB);
  });
});
