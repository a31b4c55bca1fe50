import type { KubeClient } from "../src/k8s/kube-client";
import type { TestEnvironment } from "../test/integration/helpers/environment";
import type { BenchControlPlane } from "./controlplane";
import type { BenchOptions } from "./options";

/** What every scenario gets. */
export interface BenchContext {
  options: BenchOptions;
  plane: BenchControlPlane;
  /** Clients per identity for this control plane, and fresh namespaces. */
  env: TestEnvironment;
  admin: KubeClient;
  /** Namespaces this run created (their RRs are deleted at the end). */
  namespaces: string[];
  log(message: string): void;
}

export async function freshNamespace(ctx: BenchContext, prefix: string): Promise<string> {
  const ns = await ctx.env.freshNamespace(prefix);
  ctx.namespaces.push(ns);
  return ns;
}
