import { setTimeout as sleep } from "node:timers/promises";
import { servedVersion, type KubernetesVersion, type VersionInfo } from "../model/kubernetes-version";
import { UnavailableError } from "./errors";
import type { KubeClient } from "./kube-client";

export interface ServerVersion {
  /** The release whose features the API server offers (the emulated one, if it emulates); undefined if /version says none. */
  served?: KubernetesVersion;
  /** The binary's own version, as /version says it (v1.34.4). */
  gitVersion: string;
}

/**
 * Reads the API server's /version (readable by everyone: no RBAC needed).
 * Waits for an unreachable API server, as the CRD read does: the gateway is
 * not ready before anyway.
 */
export async function readServerVersion(kube: KubeClient, options: { stopped?: AbortSignal; retryMs?: number } = {}): Promise<ServerVersion> {
  for (;;) {
    try {
      const info = await kube.request<VersionInfo>({ method: "GET", path: "/version", what: "read the API server's version" });
      return { served: servedVersion(info), gitVersion: info.gitVersion ?? `${info.major ?? "?"}.${info.minor ?? "?"}` };
    } catch (err) {
      if (!(err instanceof UnavailableError) || options.stopped?.aborted) throw err;
      await sleep(options.retryMs ?? 1_000);
    }
  }
}
