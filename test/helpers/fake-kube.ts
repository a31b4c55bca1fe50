import type { KubeClient, KubeRequest, KubeStreamRequest } from "../../src/k8s/kube-client";
import { UnavailableError } from "../../src/k8s/errors";

/** An answer to one request: what it returns (a list page, or a watch's lines), or a function that returns or throws it. */
export type FakeAnswer = unknown;
/** No answer: the request waits until it is stopped (a list then throws, a watch ends, as KubeClient does). */
export const HANG = Symbol("hang");

/** One watch event, as the API server sends it (one line of the stream). */
export const watchLine = (type: string, object: unknown): string => JSON.stringify({ type, object });

/**
 * A KubeClient for unit tests of list+watch loops: it answers lists
 * (request) from `lists` and watches (stream) from `watches`, in order, and
 * records each request and when (Date.now(), jest's fake clock) it was made.
 * Past the last answer, a request waits until it is stopped.
 */
export function fakeKube(lists: (FakeAnswer | typeof HANG)[], watches: (FakeAnswer | typeof HANG)[]) {
  const requests: (KubeRequest & { at: number })[] = [];
  const streams: (KubeStreamRequest & { at: number })[] = [];
  const answer = (next: FakeAnswer): unknown => (typeof next === "function" ? (next as () => unknown)() : next);
  const kube = {
    async request(req: KubeRequest): Promise<unknown> {
      requests.push({ ...req, at: Date.now() });
      const next = lists.length ? lists.shift() : HANG;
      if (next === HANG) return new Promise((_, reject) => req.stop?.addEventListener("abort", () => reject(new UnavailableError(`${req.what}: stopped`, 0))));
      return answer(next);
    },
    async stream(req: KubeStreamRequest, onLine: (line: string) => void): Promise<void> {
      streams.push({ ...req, at: Date.now() });
      const next = watches.length ? watches.shift() : HANG;
      if (next === HANG) return new Promise(resolve => req.stop?.addEventListener("abort", () => resolve()));
      for (const line of (await answer(next)) as string[]) onLine(line);
    },
  } as unknown as KubeClient;
  return { kube, requests, streams };
}
