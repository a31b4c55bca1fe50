import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import { exposition } from "./process-registry";

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

/**
 * A plain-HTTP /metrics endpoint for a process that has no server of its own
 * (the mock orchestrator run by itself): the process registry and the given
 * ones. Anything else is 404.
 */
export async function serveMetrics(port: number, host: string, ...registries: Registry[]): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    req.resume();
    if ((req.url ?? "").split("?")[0] !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("only GET /metrics here\n");
      return;
    }
    exposition(...registries).then(
      ({ body, contentType }) => res.writeHead(200, { "content-type": contentType }).end(body),
      err => res.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end(`metrics failed: ${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>(resolve => server.close(() => resolve())),
  };
}
