import { randomUUID } from "node:crypto";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { readFileSync } from "node:fs";
import type { Logger } from "pino";
import { exposition } from "../metrics/process-registry";
import { accessLogEntry } from "./access-log";
import type { Authenticator, Caller } from "./auth";
import { sleep } from "./backoff";
import { readJsonBody } from "./body";
import type { GatewayConfig } from "./config";
import { BodyAllowance, ByteBudget } from "./byte-budget";
import { GatewayError, toProblem } from "./errors";
import { handleKubernetesEvent, handlePrometheus, type HandlerDeps, type SignalHandler } from "./handlers";
import { countRefusedRequest, countRefusedSignals } from "./rejections";
import { replyTo, type Reply } from "./reply";
import type { SignalResult } from "./signal-result";

const SIGNAL_ROUTES: Record<string, { handler: SignalHandler; source: string }> = {
  "/api/v1/signals/prometheus": { handler: handlePrometheus, source: "prometheus" },
  "/api/v1/signals/kubernetes-event": { handler: handleKubernetesEvent, source: "kubernetes-event" },
};

export interface ServerDeps extends HandlerDeps {
  config: GatewayConfig;
  logger: Logger;
  auth: Authenticator;
  /** Ready once the RR cache has synced, the CRD and the API server version were read and (GATEWAY_SCOPE=managed-label) the namespace labels are listed. */
  isReady: () => boolean;
  /** Optional features the installed CRD leaves off, named in /readyz. */
  featuresOff?: () => string[];
  /** Why the gateway can never be ready here (an API server older than the minimum Kubernetes version), said by /readyz. */
  cannotServe?: () => string | undefined;
}

/**
 * The gateway's HTTP(S) server: signal endpoints behind authentication and an
 * in-flight limit, plus /healthz, /readyz and /metrics.
 */
export class GatewayServer {
  readonly server: Server;
  private inFlight = 0;
  /** Request bodies held at once (GATEWAY_MAX_BUFFERED_BYTES). */
  private readonly buffered: ByteBudget;
  /** Set first on shutdown: /readyz answers 503, so load balancers stop sending. */
  private draining = false;
  /** Set after the shutdown delay: new signals are refused with 503 (the sender retries elsewhere). */
  private shuttingDown = false;

  constructor(private readonly deps: ServerDeps) {
    this.buffered = new ByteBudget(deps.config.maxBufferedBytes);
    const handler = (req: IncomingMessage, res: ServerResponse): void => void this.handle(req, res);
    const { tls } = deps.config;
    this.server = tls
      ? createHttpsServer(
          {
            cert: readFileSync(tls.certFile),
            key: readFileSync(tls.keyFile),
            ca: tls.clientCaFile ? readFileSync(tls.clientCaFile) : undefined,
            requestCert: Boolean(tls.clientCaFile),
            rejectUnauthorized: Boolean(tls.clientCaFile),
          },
          handler,
        )
      : createHttpServer(handler);
    this.server.keepAliveTimeout = 65_000;
  }

  listen(): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.deps.config.port, this.deps.config.host, () => {
        const address = this.server.address();
        resolve({ port: typeof address === "object" && address ? address.port : this.deps.config.port });
      });
    });
  }

  /**
   * Graceful stop: /readyz turns 503 first; after delayMs (still serving, so
   * load balancers can notice) new signals are refused with 503; requests in
   * flight get up to graceMs to finish; then the listener and the connections
   * are closed.
   */
  async close(graceMs: number, delayMs = 0): Promise<void> {
    this.draining = true;
    if (delayMs > 0) await sleep(delayMs);
    this.shuttingDown = true;
    const deadline = Date.now() + graceMs;
    while (this.inFlight > 0 && Date.now() < deadline) await sleep(20);
    if (this.inFlight > 0) this.deps.logger.warn({ inFlight: this.inFlight }, "shutdown grace period over: closing connections with requests still in flight");
    await new Promise<void>(resolve => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
      setTimeout(() => this.server.closeAllConnections(), Math.max(0, deadline - Date.now())).unref();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const path = (req.url ?? "/").split("?")[0];
    const route = SIGNAL_ROUTES[path];
    const endpoint = route ? path : ["/healthz", "/readyz", "/metrics"].includes(path) ? path : "other";
    const requestId = headerValue(req.headers["x-request-id"]) ?? randomUUID();
    res.setHeader("X-Request-Id", requestId);
    // While draining, close each connection after its response, so keep-alive clients reconnect elsewhere.
    if (this.draining) res.setHeader("Connection", "close");
    let status = 500;
    // Filled in by signal() once the sender is authenticated, for the access log.
    const seen: { caller?: Caller } = {};
    try {
      const reply = route ? await this.signal(req, res, route, requestId, seen) : await this.other(req, path);
      if ("error" in reply) status = this.sendProblem(res, reply.error, { path, requestId });
      else {
        status = reply.status;
        if (typeof reply.body === "string") send(res, status, reply.body, reply.contentType ?? "text/plain; charset=utf-8");
        else send(res, status, JSON.stringify(reply.body), "application/json");
      }
    } catch (err) {
      const error = err instanceof GatewayError ? err : new GatewayError("GW_INTERNAL", "internal error; see the gateway's log");
      if (!(err instanceof GatewayError)) this.deps.logger.error({ requestId, err }, "unexpected error");
      status = this.sendProblem(res, error, { path, requestId });
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      this.deps.metrics.httpDuration.observe({ endpoint, status: String(status) }, seconds);
      // The access log, at debug: one line per request (never its body or token).
      const { logger } = this.deps;
      if (logger.isLevelEnabled("debug")) logger.debug(accessLogEntry({ requestId, method: req.method, url: req.url, status, seconds, caller: seen.caller }), "request completed");
    }
  }

  /** Sends `error` as problem+json (Retry-After on a 503, a Bearer challenge on a 401); returns its status. */
  private sendProblem(res: ServerResponse, error: GatewayError, request: { path: string; requestId: string }): number {
    if (error.retryable) res.setHeader("Retry-After", String(this.deps.config.retryAfterSeconds));
    if (error.status === 401) res.setHeader("WWW-Authenticate", 'Bearer realm="rr-gateway"');
    send(res, error.status, JSON.stringify(toProblem(error, request)), "application/problem+json");
    return error.status;
  }

  /** A signal request: its answer from each signal's result; every refusal counted (src/gateway/rejections.ts). */
  private async signal(req: IncomingMessage, res: ServerResponse, route: { handler: SignalHandler; source: string }, requestId: string, seen: { caller?: Caller }): Promise<Reply> {
    try {
      const results = await this.signalResults(req, res, route.handler, requestId, seen);
      countRefusedSignals(this.deps.metrics, route.source, results);
      return replyTo(results);
    } catch (err) {
      // Refused as a whole: before its signals were known (method, shutdown, load, credentials, body, replay window).
      if (err instanceof GatewayError) countRefusedRequest(this.deps.metrics, route.source, err);
      throw err;
    }
  }

  private async signalResults(req: IncomingMessage, res: ServerResponse, handler: SignalHandler, requestId: string, seen: { caller?: Caller }): Promise<SignalResult[]> {
    const { config, metrics } = this.deps;
    if (req.method !== "POST") {
      req.resume();
      throw new GatewayError("GW_METHOD_NOT_ALLOWED", `${req.method} is not allowed here: use POST`);
    }
    if (this.shuttingDown) {
      req.resume();
      throw new GatewayError("GW_SHUTTING_DOWN", "the gateway is shutting down; retry against another replica");
    }
    if (this.inFlight >= config.maxInFlight) {
      req.resume();
      throw new GatewayError("GW_OVERLOADED", `more than ${config.maxInFlight} requests in flight (GATEWAY_MAX_IN_FLIGHT); retry later`);
    }
    this.inFlight++;
    metrics.inFlight.set(this.inFlight);
    // The body and what is parsed from it are held until the answer: their bytes count against the budget until then.
    const allowance = new BodyAllowance(this.buffered);
    try {
      let caller: Caller;
      try {
        caller = await this.deps.auth.authenticate(req.headers.authorization);
        seen.caller = caller;
      } catch (err) {
        req.resume();
        throw err;
      }
      const body = await readJsonBody(req, config.maxBodyBytes, config.maxJsonDepth, allowance);
      // A sender that closes its connection before the answer (it timed out) will send again: what is not written by then is not written.
      const gone = new AbortController();
      res.once("close", () => gone.abort());
      return await handler(body, { requestId, gone: gone.signal, timestamp: headerValue(req.headers["x-timestamp"]), caller }, this.deps);
    } finally {
      allowance.releaseAll();
      this.inFlight--;
      metrics.inFlight.set(this.inFlight);
    }
  }

  private async other(req: IncomingMessage, path: string): Promise<Reply> {
    req.resume();
    if (req.method !== "GET" && req.method !== "HEAD") throw new GatewayError("GW_METHOD_NOT_ALLOWED", `${req.method} is not allowed here: use GET`);
    switch (path) {
      case "/healthz":
        return { status: 200, body: "ok" };
      case "/readyz": {
        if (this.draining) return { status: 503, body: "shutting down" };
        const cannot = this.deps.cannotServe?.();
        if (cannot) return { status: 503, body: cannot };
        if (!this.deps.isReady()) return { status: 503, body: "RemediationRequest cache not synced, CRD or API server version not read, or kubernaut.ai/managed namespace labels not listed yet" };
        return { status: 200, body: readyDetail(this.deps.featuresOff?.() ?? []) };
      }
      case "/metrics":
        // With the process's own metrics: Node.js runtime, and the mock orchestrator's when it runs in this process.
        return { status: 200, ...(await exposition(this.deps.metrics.registry)) };
      default:
        throw new GatewayError("GW_NOT_FOUND", `no such endpoint: ${path}. Signals go to ${Object.keys(SIGNAL_ROUTES).join(" or ")}`);
    }
  }
}

/** "ok", and on a second line the optional features the installed CRD leaves off (ready all the same). */
function readyDetail(off: string[]): string {
  return off.length === 0 ? "ok" : `ok\nfeatures off (the installed RemediationRequest CRD lacks their fields): ${off.join(", ")}`;
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return v && /^[\w.:-]{1,128}$/.test(v) ? v : undefined;
}

function send(res: ServerResponse, status: number, body: string, contentType: string): void {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}
