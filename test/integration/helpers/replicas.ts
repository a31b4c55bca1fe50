import { request } from "undici";
import { scrapeSum } from "../../helpers/metrics";
import { startGatewayProcess, type GatewayProcess } from "./gateway-process";

/**
 * N gateway replicas, each a separate process on its own port, against one
 * API server and one namespace: no shared memory, no lock, no leader. A
 * replica can be killed (SIGKILL) and replaced; the replacement starts in the
 * background and takes the same slot.
 */
export class GatewayReplicas {
  private readonly slots: (GatewayProcess | undefined)[];
  private readonly restarts = new Map<number, Promise<void>>();
  private readonly restartErrors: unknown[] = [];

  private constructor(
    private readonly namespace: string,
    private readonly envOf: (slot: number) => Record<string, string>,
    processes: GatewayProcess[],
  ) {
    this.slots = processes;
  }

  /** Starts `count` replicas in parallel; envOf gives each slot's extra environment. */
  static async start(namespace: string, count: number, envOf: (slot: number) => Record<string, string> = () => ({})): Promise<GatewayReplicas> {
    const started = await Promise.allSettled(Array.from({ length: count }, (_, slot) => startGatewayProcess(namespace, envOf(slot))));
    const processes = started.flatMap(s => (s.status === "fulfilled" ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if (failed) {
      await Promise.all(processes.map(p => p.kill("SIGKILL")));
      throw failed.reason;
    }
    return new GatewayReplicas(namespace, envOf, processes);
  }

  get size(): number {
    return this.slots.length;
  }

  /** The replica in a slot; throws if it is dead. */
  replica(slot: number): GatewayProcess {
    const p = this.slots[slot];
    if (!p) throw new Error(`gateway replica ${slot} is not running`);
    return p;
  }

  url(slot: number): string {
    return this.replica(slot).url;
  }

  /** Slots with a replica killed since a moment (performance.now()). */
  crashedSince(since: number): Set<number> {
    return new Set(this.crashes.filter(c => c.at >= since).map(c => c.slot));
  }

  /** Slots whose replica is running (a killed one is back once its replacement is ready). */
  live(): number[] {
    return this.slots.flatMap((p, slot) => (p ? [slot] : []));
  }

  /** When each crash() happened (performance.now()), by slot. */
  readonly crashes: { slot: number; at: number }[] = [];

  /** SIGKILLs a replica (a crash: no draining) and starts its replacement in the background. */
  async crash(slot: number): Promise<void> {
    const victim = this.replica(slot);
    this.slots[slot] = undefined;
    this.crashes.push({ slot, at: performance.now() });
    await victim.kill("SIGKILL");
    this.restarts.set(
      slot,
      startGatewayProcess(this.namespace, this.envOf(slot)).then(
        p => {
          this.slots[slot] = p;
          this.restarts.delete(slot);
        },
        err => {
          this.restartErrors.push(err);
          this.restarts.delete(slot);
        },
      ),
    );
  }

  /** Waits until every killed replica has been replaced; throws if a replacement could not start. */
  async settle(): Promise<void> {
    await Promise.all(this.restarts.values());
    if (this.restartErrors.length > 0) throw this.restartErrors[0];
  }

  /** rr_gateway_api_writes_total of the running replicas, summed, by operation. */
  async apiWrites(): Promise<Record<string, number>> {
    const totals: Record<string, number> = {};
    for (const slot of this.live()) {
      const text = await (await request(`${this.url(slot)}/metrics`)).body.text();
      for (const [, operation, value] of text.matchAll(/^rr_gateway_api_writes_total\{operation="([^"]+)"\} (\d+(?:\.\d+)?)$/gm)) {
        totals[operation] = (totals[operation] ?? 0) + Number(value);
      }
    }
    return totals;
  }

  /** One metric of every running replica, summed (samples matching the name and optional label text). */
  async metricSum(name: string, labels?: string): Promise<number> {
    const sums = await Promise.all(this.live().map(slot => scrapeSum(this.url(slot), name, labels)));
    return sums.reduce((a, b) => a + b, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.restarts.values());
    await Promise.all(this.slots.map(p => p?.kill("SIGTERM")));
  }
}
