import { ForbiddenError, NotFoundError, UnavailableError } from "../k8s/errors";
import type { RemediationRequestClient } from "../k8s/rr-client";
import type { DeduplicationStatus, RemediationRequest } from "../model/remediation-request";
import { GatewayError } from "./errors";
import { carries, settleUnsureWrite } from "./unsure-write";
import { testSpec } from "../../test/helpers/rr-spec";

const T0 = "2026-11-28T07:00:00.000Z";
const T1 = "2026-11-28T07:00:01.000Z";
const T2 = "2026-11-28T07:00:02.000Z";

function rr(resourceVersion: string, deduplication?: DeduplicationStatus): RemediationRequest {
  return { apiVersion: "kubernaut.ai/v1alpha1", kind: "RemediationRequest", metadata: { name: "rr-1", resourceVersion }, spec: testSpec("f", { signalName: "X" }), status: { deduplication } };
}

/** A client whose get() answers from a script: an RR, or an error to throw. */
function client(...answers: (RemediationRequest | Error)[]): RemediationRequestClient {
  return {
    async get() {
      const next = answers.length > 1 ? answers.shift()! : answers[0];
      if (next instanceof Error) throw next;
      return next;
    },
  } as unknown as RemediationRequestClient;
}

const before = rr("10", { occurrenceCount: 3, firstSeenAt: T0, lastSeenAt: T0 });
const written: DeduplicationStatus = { occurrenceCount: 5, firstSeenAt: T0, lastSeenAt: T1 };
const cause = new UnavailableError("apply: the API server could not be reached (UND_ERR_SOCKET)", 0);
const down = () => new UnavailableError("get: ECONNREFUSED", 0);

describe("carries", () => {
  it("matches the whole deduplication section, resolved fields included", () => {
    expect(carries(rr("11", written), written)).toBe(true);
    expect(carries(rr("11", { ...written, lastSeenAt: T2 }), written)).toBe(false);
    expect(carries(rr("11", { ...written, resolvedCount: 1 }), written)).toBe(false);
    expect(carries(rr("11"), written)).toBe(false);
  });
});

describe("settleUnsureWrite", () => {
  it("says applied when the RR carries what was written", async () => {
    await expect(settleUnsureWrite(client(rr("11", written)), before, written, 1_000, cause)).resolves.toEqual({ applied: true, rr: rr("11", written) });
  });

  it("says not applied when the count is as before (another writer may have changed something else)", async () => {
    const now = rr("12", before.status!.deduplication);
    await expect(settleUnsureWrite(client(now), before, written, 1_000, cause)).resolves.toEqual({ applied: false, rr: now });
  });

  it("says not applied when the count is below what was written (counts only grow)", async () => {
    const now = rr("12", { occurrenceCount: 4, firstSeenAt: T0, lastSeenAt: T2 });
    await expect(settleUnsureWrite(client(now), before, written, 1_000, cause)).resolves.toEqual({ applied: false, rr: now });
  });

  it("says not applied when the RR is gone", async () => {
    await expect(settleUnsureWrite(client(new NotFoundError("gone", 404)), before, written, 1_000, cause)).resolves.toEqual({ applied: false, rr: undefined });
  });

  it("cannot tell when another writer counted past the written count: 503", async () => {
    const now = rr("13", { occurrenceCount: 7, firstSeenAt: T0, lastSeenAt: T2 });
    const err = await settleUnsureWrite(client(now), before, written, 1_000, cause).catch(e => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(503);
  });

  it("waits for the API server to answer again", async () => {
    await expect(settleUnsureWrite(client(down(), down(), rr("11", written)), before, written, 10_000, cause)).resolves.toEqual({ applied: true, rr: rr("11", written) });
  });

  it("keeps asking while a restarting API server still refuses the gateway (403)", async () => {
    const starting = new ForbiddenError("get: forbidden", 403);
    await expect(settleUnsureWrite(client(starting, rr("11", written)), before, written, 10_000, cause)).resolves.toEqual({ applied: true, rr: rr("11", written) });
  });

  it("answers 503 when the API server stays away past the wait", async () => {
    const err = await settleUnsureWrite(client(down()), before, written, 300, cause).catch(e => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).message).toMatch(/could not tell whether the signal was recorded on rr-1/);
  });
});
