/**
 * undici's Agent without the rest of undici. Its index also bundles fetch,
 * WebSocket, caches and mocks, which would grow the module's Secret (the
 * bundled code) past what `kubectl apply` can store; hack/fold-manifests.ts
 * checks that size at build time.
 */
import type { Agent as UndiciAgent } from "undici";
import api from "undici/lib/api/index.js";
import Agent from "undici/lib/dispatcher/agent.js";
import Dispatcher from "undici/lib/dispatcher/dispatcher.js";

// What undici's index does on load: request() and the rest live on every Dispatcher.
Object.assign(Dispatcher.prototype, api);

export function createAgent(options: UndiciAgent.Options): UndiciAgent {
  return new Agent(options);
}
