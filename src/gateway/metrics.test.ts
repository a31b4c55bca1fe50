import { METRIC_PREFIX } from "../metrics/prefix";
import { exposition, processRegistry } from "../metrics/process-registry";
import { PHASES } from "../model/phases";
import { GatewayMetrics } from "./metrics";

/** The samples of one metric in exposition text, as "labels value" strings. */
const samples = (text: string, name: string): string[] =>
  text
    .split("\n")
    .filter(line => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .map(line => line.slice(name.length));

describe("GatewayMetrics", () => {
  it("names every metric with the project prefix", () => {
    const names = new GatewayMetrics().registry.getMetricsAsArray().map(m => (m as unknown as { name: string }).name);
    expect(names.length).toBeGreaterThan(20);
    for (const name of names) expect(name.startsWith(METRIC_PREFIX)).toBe(true);
  });

  it("leaves Node.js process metrics to the process registry, under their standard names, once however many gateways a process runs", async () => {
    const a = new GatewayMetrics();
    const b = new GatewayMetrics();
    expect(a.registry.getSingleMetric("process_resident_memory_bytes")).toBeUndefined();
    expect(processRegistry().getSingleMetric("process_resident_memory_bytes")).toBeDefined();
    const { body } = await exposition(a.registry);
    expect(body.match(/^# TYPE process_resident_memory_bytes /gm)).toHaveLength(1);
    expect(body).toMatch(/^nodejs_heap_size_used_bytes \d+/m);
    expect(body).toMatch(/^rr_gateway_signals_received_total|^# TYPE rr_gateway_signals_received_total/m);
    await expect(exposition(b.registry)).resolves.toBeDefined();
  });

  it("reports the RR cache at each scrape: size, sync, and a series for every phase (0 when none is in it)", async () => {
    let synced = false;
    const metrics = new GatewayMetrics({
      rrCache: {
        size: 3,
        get hasSynced() {
          return synced;
        },
        countByPhase: () =>
          new Map([
            ["Executing", 2],
            ["None", 1],
          ]),
      },
    });
    let text = await metrics.registry.metrics();
    expect(samples(text, "rr_gateway_rr_cache_synced")).toEqual([" 0"]);
    synced = true;
    text = await metrics.registry.metrics();
    expect(samples(text, "rr_gateway_rr_cache_synced")).toEqual([" 1"]);
    expect(samples(text, "rr_gateway_rr_cache_size")).toEqual([" 3"]);
    const phases = samples(text, "rr_gateway_remediation_requests");
    expect(phases).toHaveLength(PHASES.length + 2);
    expect(phases).toContain('{phase="Executing"} 2');
    expect(phases).toContain('{phase="None"} 1');
    expect(phases).toContain('{phase="Completed"} 0');
    expect(phases).toContain('{phase="Unknown"} 0');
  });
});
