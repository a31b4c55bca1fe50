import { Gauge } from "prom-client";
import { metricName } from "../metrics/prefix";
import { processRegistry } from "../metrics/process-registry";

/** The running orchestrators of this process (one deployed; tests may start several), each telling whether it leads. */
const instances = new Set<() => boolean>();
let registered = false;

/**
 * Reports an orchestrator instance in `rr_gateway_orchestrator_leader` on the
 * process registry, which the gateway's /metrics serves in the module's pods
 * (and ORCHESTRATOR_METRICS_PORT when the orchestrator runs by itself).
 * Returns the function that stops reporting it.
 */
export function reportOrchestrator(isLeader: () => boolean): () => void {
  if (!registered) {
    registered = true;
    new Gauge({
      name: metricName("orchestrator_leader"),
      help: "Mock orchestrator instances of this process holding the Lease (drive RemediationRequests): 1 on the leader, 0 on standbys. Summed over the pods it must be 1.",
      registers: [processRegistry()],
      collect() {
        let leading = 0;
        for (const leads of instances) if (leads()) leading++;
        this.set(leading);
      },
    });
  }
  instances.add(isLeader);
  return () => instances.delete(isLeader);
}
