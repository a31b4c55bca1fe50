import { KubeClient, loadKubeConfig } from "../k8s/kube-client";
import { SharedInformers } from "../k8s/shared-informers";

/**
 * What every component the module runs in one process shares (cert-manager's
 * controller context, in small): ONE KubeClient (one connection pool, one
 * credential refresh) and ONE RR informer per namespace, so the gateway
 * (recorder, storm tracker, duplicate detector) and the mock orchestrator
 * cost the API server one list/watch and the process one copy of each RR.
 *
 * Made on the first acquire(); each component releases it once stopped, and
 * the last release stops the informers and closes the client.
 */
export interface ProcessContext {
  informers: SharedInformers;
  /** Call once the component that acquired the context has stopped. */
  release(): Promise<void>;
}

let shared: Promise<SharedInformers> | undefined;
let holders = 0;

export async function acquireProcessContext(): Promise<ProcessContext> {
  holders++;
  // Lists and writes through it time out after 10 s: the gateway answers 503 rather than hold a sender longer.
  shared ??= KubeClient.create(loadKubeConfig(), { requestTimeoutMs: 10_000 }).then(kube => new SharedInformers(kube));
  let informers: SharedInformers;
  try {
    informers = await shared;
  } catch (err) {
    holders--;
    shared = undefined;
    throw err;
  }
  let released = false;
  return {
    informers,
    async release() {
      if (released) return;
      released = true;
      if (--holders > 0) return;
      shared = undefined;
      await informers.stop();
      await informers.kube.close();
    },
  };
}

/**
 * Starts one component of the module on the process context: the component
 * gets the shared informers, and its stop() also releases the context (the
 * last component to stop closes it). A component that fails to start
 * releases it at once.
 */
export async function startOnProcessContext<T extends { stop(deadline?: number): Promise<void> }>(start: (informers: SharedInformers) => Promise<T>): Promise<T> {
  const context = await acquireProcessContext();
  let component: T;
  try {
    component = await start(context.informers);
  } catch (err) {
    await context.release();
    throw err;
  }
  const stop = component.stop.bind(component);
  component.stop = async (deadline?: number) => {
    try {
      await stop(deadline);
    } finally {
      await context.release();
    }
  };
  return component;
}
