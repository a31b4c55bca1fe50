import { randomBytes } from "node:crypto";
import { FIELD_MANAGERS } from "../../../src/k8s/field-managers";
import { RemediationRequestClient } from "../../../src/k8s/rr-client";
import { RemediationRequestWatch } from "../../../src/k8s/rr-watch";
import { LABELS, RemediationRequest, RemediationRequestStatus } from "../../../src/model/remediation-request";
import { randomFingerprint, TestEnvironment } from "./environment";
import { testSpec } from "../../helpers/rr-spec";

export interface SignalRR {
  name?: string;
  signalName?: string;
  signalLabels?: Record<string, string>;
  fingerprint?: string;
}

/**
 * Creates an RR the way the gateway does: a POST of metadata and spec under
 * the "gateway" field manager, then the first deduplication status by
 * server-side apply under "gateway-deduplication". Returns its name.
 */
export async function createSignalRR(env: TestEnvironment, namespace: string, signal: SignalRR = {}): Promise<string> {
  const gateway = await env.rrClient("gateway", namespace);
  const name = signal.name ?? `rr-${randomBytes(5).toString("hex")}`;
  const fingerprint = signal.fingerprint ?? randomFingerprint();
  const now = new Date().toISOString();
  await gateway.create(
    {
      metadata: { name, labels: { [LABELS.fingerprint]: fingerprint.slice(0, 63) } },
      spec: testSpec(fingerprint, { signalName: signal.signalName ?? "TestAlert", signalLabels: signal.signalLabels }),
    },
    FIELD_MANAGERS.gateway,
  );
  await gateway.applyStatus(name, { deduplication: { occurrenceCount: 1, firstSeenAt: now, lastSeenAt: now } }, { fieldManager: FIELD_MANAGERS.deduplication });
  return name;
}

/** Polls the API server until the RR is in the phase; the timeout error says which phase it was in. */
export async function waitForPhase(rrs: RemediationRequestClient, name: string, phase: string, timeoutMs = 15_000): Promise<RemediationRequest> {
  const deadline = Date.now() + timeoutMs;
  let last: RemediationRequest | undefined;
  for (;;) {
    last = await rrs.get(name);
    if (last.status?.overallPhase === phase) return last;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for RemediationRequest ${name} to be ${phase}; it is ${JSON.stringify(last.status?.overallPhase)}: ${last.status?.message ?? ""}`);
    }
    await new Promise(r => setTimeout(r, 50));
  }
}

/** Sets annotations on an RR as the admin (a merge patch of metadata only). */
export async function annotate(env: TestEnvironment, namespace: string, name: string, annotations: Record<string, string>): Promise<void> {
  const admin = await env.rrClient("admin", namespace);
  await admin.kube.request({
    method: "PATCH",
    path: `${admin.collectionPath()}/${encodeURIComponent(name)}`,
    contentType: "application/merge-patch+json",
    body: { metadata: { annotations } },
    what: `annotate RemediationRequest ${namespace}/${name}`,
  });
}

/**
 * The status fields (kubernaut's) that record when each lifecycle step happened, in
 * lifecycle order. Verifying has no start time in kubernaut: its clock is
 * phaseProgress.verificationDeadline, the time the mock's Verifying ends.
 */
export const TIMESTAMP_FIELDS = ["startTime", "processingStartTime", "analyzingStartTime", "executingStartTime", "verificationDeadline", "completedAt"] as const;

export type TimestampField = (typeof TIMESTAMP_FIELDS)[number];

/** One lifecycle timestamp of a status, wherever kubernaut keeps it (top level or phaseProgress). */
export function timestampOf(status: RemediationRequestStatus, field: TimestampField): string | undefined {
  switch (field) {
    case "startTime":
    case "completedAt":
      return status[field];
    default:
      return status.phaseProgress?.[field];
  }
}

/**
 * Watches the RRs of a namespace and keeps every status each RR had, in
 * order: what a test needs to prove that no phase was skipped or repeated.
 */
export class PhaseRecorder {
  private readonly seen = new Map<string, RemediationRequestStatus[]>();
  private watch: RemediationRequestWatch | undefined;

  async start(rrs: RemediationRequestClient): Promise<void> {
    this.watch = new RemediationRequestWatch(rrs, {
      onUpsert: rr => {
        const name = rr.metadata.name ?? "";
        const list = this.seen.get(name) ?? [];
        list.push(structuredClone(rr.status ?? {}));
        this.seen.set(name, list);
      },
    });
    await this.watch.start();
  }

  /** The phases the RR went through, each change once, in order. */
  phases(name: string): string[] {
    const phases: string[] = [];
    for (const status of this.seen.get(name) ?? []) {
      const phase = status.overallPhase;
      if (phase && phases[phases.length - 1] !== phase) phases.push(phase);
    }
    return phases;
  }

  /** Waits until the watch has delivered the RR in this phase (polling the API server can be ahead of the watch). */
  async waitForPhase(name: string, phase: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.phases(name).includes(phase)) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for the watch to show ${name} in ${phase}; seen: ${this.phases(name).join(" → ")}`);
      await new Promise(r => setTimeout(r, 20));
    }
  }

  /** Each timestamp field with every distinct value it had: a phase started twice shows two values. */
  timestampValues(name: string): Record<string, string[]> {
    const values: Record<string, string[]> = {};
    for (const status of this.seen.get(name) ?? []) {
      for (const field of TIMESTAMP_FIELDS) {
        const v = timestampOf(status, field);
        if (v === undefined) continue;
        values[field] ??= [];
        if (!values[field].includes(v)) values[field].push(v);
      }
    }
    return values;
  }

  async stop(): Promise<void> {
    await this.watch?.stop();
  }
}
