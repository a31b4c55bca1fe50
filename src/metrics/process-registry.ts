import { collectDefaultMetrics, Registry } from "prom-client";

let registry: Registry | undefined;

/**
 * The process's own metrics registry: Node.js process metrics under their
 * standard names (process_resident_memory_bytes, nodejs_heap_size_used_bytes,
 * ...), collected once per process however many components run in it, and
 * the metrics of components that may share a process (the mock
 * orchestrator). Whatever serves /metrics serves this registry with its own.
 */
export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    collectDefaultMetrics({ register: registry });
  }
  return registry;
}

/** The text of /metrics: the process registry and the given component registries together. */
export async function exposition(...registries: Registry[]): Promise<{ body: string; contentType: string }> {
  // merge() refuses two metrics of one name, so a clash between components is an error, not a silent duplicate.
  const merged = Registry.merge([processRegistry(), ...registries]);
  return { body: await merged.metrics(), contentType: merged.contentType };
}
