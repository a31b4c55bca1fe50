import { Pool } from "undici";
import { startGatewayProcess, type GatewayProcess } from "../test/integration/helpers/gateway-process";
import { alert, PROMETHEUS_PATH, webhook } from "../test/helpers/signals";
import type { BenchControlPlane } from "./controlplane";
import { waitFor } from "../test/integration/helpers/wait";
import { gatewayWrites, scrape } from "./metrics";

export interface Reply {
  status: number;
  /** occurrenceCount from the body (metadata.count), when there is one. */
  count?: number;
  rrName?: string;
}

/**
 * One or more gateway processes for one namespace, and a keep-alive client
 * pool to each. Requests go to replica i % replicas.
 */
export class Gateways {
  private readonly pools: Pool[];

  private constructor(
    readonly namespace: string,
    readonly processes: GatewayProcess[],
  ) {
    this.pools = processes.map(p => new Pool(p.url, { connections: 256, pipelining: 1, headersTimeout: 60_000, bodyTimeout: 60_000 }));
  }

  /** Starts `replicas` gateway processes (as the "gateway" identity, auth off, warn logs) and waits until each is ready. */
  static async start(plane: BenchControlPlane, namespace: string, replicas = 1, env: Record<string, string> = {}, nodeArgs: string[] = []): Promise<Gateways> {
    const processes = await Promise.all(
      Array.from({ length: replicas }, () =>
        startGatewayProcess(namespace, { KUBECONFIG: plane.kubeconfig("gateway"), LOG_LEVEL: "warn", GATEWAY_SHUTDOWN_GRACE_SECONDS: "5", ...env }, { nodeArgs }),
      ),
    );
    return new Gateways(namespace, processes);
  }

  /** The replicas of several groups (of one namespace) as one group, with pools of its own; stop() each group, closePools() this one. */
  static combine(...groups: Gateways[]): Gateways {
    return new Gateways(groups[0].namespace, groups.flatMap(g => g.processes));
  }

  get urls(): string[] {
    return this.processes.map(p => p.url);
  }

  /** POSTs an Alertmanager payload (a JSON string) to replica i % replicas. */
  async post(i: number, body: string): Promise<Reply> {
    const res = await this.pools[i % this.pools.length].request({
      path: PROMETHEUS_PATH,
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    const text = await res.body.text();
    let parsed: { metadata?: { count?: number }; remediationRequestName?: string } = {};
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON: status alone tells
    }
    return { status: res.statusCode, count: parsed.metadata?.count, rrName: parsed.remediationRequestName };
  }

  writes(): Promise<Record<string, number>> {
    return gatewayWrites(this.urls);
  }

  /**
   * Waits until every replica's RR cache holds at least `rrs` RRs
   * (rr_gateway_rr_cache_size), at most timeoutMs; returns how long it took,
   * or undefined when the time ran out. After RRs are created in bulk the
   * watch delivers them later; until it has, the cache is not known fresh and
   * a new problem's create is decided by a list instead.
   */
  async cacheHolds(rrs: number, timeoutMs: number): Promise<number | undefined> {
    const started = Date.now();
    const holds = async () => (await Promise.all(this.urls.map(async url => (await scrape(url)).get("rr_gateway_rr_cache_size") ?? 0))).every(size => size >= rrs);
    try {
      await waitFor(`every gateway's RR cache to hold ${rrs} RRs`, holds, timeoutMs, 200);
      return Date.now() - started;
    } catch {
      return undefined; // waitFor throws only when the time has run out
    }
  }

  async closePools(): Promise<void> {
    await Promise.all(this.pools.map(p => p.close()));
  }

  async stop(): Promise<void> {
    await this.closePools();
    await Promise.all(this.processes.map(p => p.kill("SIGTERM")));
  }
}

/** The payload of one firing alert for a pod: one problem per (alertname, pod). */
export function firing(alertname: string, pod: string): string {
  return JSON.stringify(webhook([alert({ alertname, pod, namespace: "bench" })]));
}
