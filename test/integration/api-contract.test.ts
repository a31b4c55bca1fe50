import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import os from "node:os";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import yaml from "js-yaml";
import pino from "pino";
import { request } from "undici";
import { loadGatewayConfig } from "../../src/gateway/config";
import { ANSWER_CODES } from "../../src/model/error-codes";
import { PROBLEM_CODES } from "../../src/gateway/errors";
import { startGateway } from "../../src/gateway/index";
import { alert, EVENT_PATH, PROMETHEUS_PATH, warningEvent, webhook } from "../helpers/signals";
import { kubeconfigPath, REPO_DIR, RUN_DIR, tokenOf } from "./helpers/controlplane";
import { TestEnvironment } from "./helpers/environment";
import { freePort } from "./helpers/gateway-process";
import { signalSenderAccount } from "./helpers/rbac";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { waitFor } from "./helpers/wait";

/**
 * docs/api.yaml is the truth about the gateway's HTTP API: every real
 * response (status, content type, body, required headers) conforms to it,
 * and every status code it documents is actually produced (500 aside).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document
type Obj = Record<string, any>;
const spec = yaml.load(readFileSync(path.join(REPO_DIR, "docs/api.yaml"), "utf8")) as Obj;
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema(JSON.parse(JSON.stringify({ components: spec.components })), "api");

/** A schema from the document, its local $refs pointed at the document. */
function compile(schema: Obj): ReturnType<typeof ajv.compile> {
  return ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"api#/components/')));
}
const deref = (o: Obj): Obj => (o.$ref ? deref(o.$ref.replace(/^#\//, "").split("/").reduce((at: Obj, key: string) => at[key], spec)) : o);

const env = new TestEnvironment();
let namespace: string;
let gw: TestGateway;
const covered = new Set<string>();

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

async function call(method: string, urlPath: string, options: { body?: string | Obj; headers?: Record<string, string>; base?: string } = {}): Promise<Reply> {
  const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const res = await request(`${options.base ?? gw.url}${urlPath}`, {
    method: method as "GET",
    headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...options.headers },
    body,
  });
  return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
}

/** Checks one real response against the documented operation (template + method); returns the parsed body. */
function conforms(template: string, method: string, reply: Reply): unknown {
  const operation = spec.paths[template]?.[method.toLowerCase()];
  if (!operation) throw new Error(`docs/api.yaml documents no ${method} ${template}`);
  const documented = operation.responses[String(reply.status)];
  if (!documented) throw new Error(`${method} ${template} answered ${reply.status}, which docs/api.yaml does not document: ${reply.text}`);
  covered.add(`${method.toUpperCase()} ${template} ${reply.status}`);
  const response = deref(documented);
  headersConform(`${method} ${template} ${reply.status}`, response, reply);
  const contentType = String(reply.headers["content-type"] ?? "").split(";")[0].trim();
  const media = response.content?.[contentType];
  if (!media) throw new Error(`${method} ${template} ${reply.status}: content type ${contentType} is not documented (documented: ${Object.keys(response.content ?? {}).join(", ")})`);
  const body = contentType.endsWith("json") ? JSON.parse(reply.text) : reply.text;
  const validate = compile(media.schema);
  if (!validate(body)) throw new Error(`${method} ${template} ${reply.status}: the body does not conform to docs/api.yaml: ${ajv.errorsText(validate.errors)}\n${reply.text}`);
  return body;
}

function headersConform(what: string, response: Obj, reply: Reply): void {
  for (const [name, header] of Object.entries<Obj>(response.headers ?? {})) {
    const h = deref(header);
    const value = reply.headers[name.toLowerCase()];
    if (h.required && value === undefined) throw new Error(`${what}: the documented header ${name} is missing`);
    if (value === undefined || !h.schema) continue;
    const validate = compile(h.schema);
    if (!validate(value)) throw new Error(`${what}: header ${name}: ${value} does not conform: ${ajv.errorsText(validate.errors)}`);
  }
}

const bearer = (identity: "alertmanager" | "nobody"): Record<string, string> => ({ authorization: `Bearer ${tokenOf(identity)}` });

beforeAll(async () => {
  namespace = await env.freshNamespace("api");
  gw = await startTestGateway(namespace, { GATEWAY_AUTH: "kubernetes", GATEWAY_MAX_BODY_BYTES: "4096", GATEWAY_MAX_IN_FLIGHT: "1" });
}, 60_000);

afterAll(async () => {
  await gw?.stop();
  await env.close();
});

describe("POST /api/v1/signals/prometheus", () => {
  const P = "/api/v1/signals/prometheus";
  const send = (payload: Obj | string, headers: Record<string, string> = bearer("alertmanager")): Promise<Reply> => call("POST", PROMETHEUS_PATH, { body: payload, headers });

  it("201 for a new problem, 202 for its repeat, 200 for a resolved alert", async () => {
    expect(conforms(P, "POST", await send(webhook([alert({ alertname: "ApiFirst", pod: "a-1" })])))).toMatchObject({ status: "created" });
    expect(conforms(P, "POST", await send(webhook([alert({ alertname: "ApiFirst", pod: "a-1" })])))).toMatchObject({ status: "duplicate", occurrenceCount: 2 });
    expect(conforms(P, "POST", await send(webhook([alert({ alertname: "ApiFirst", pod: "a-1", status: "resolved" })])))).toMatchObject({ status: "resolved" });
    expect(conforms(P, "POST", await send(webhook([alert({ alertname: "ApiNeverFired", pod: "a-1", status: "resolved" })])))).toMatchObject({ status: "resolved" });
  });

  it("207 with a result per alert, including a rejected one", async () => {
    const body = conforms(P, "POST", await send(webhook([alert({ alertname: "ApiMulti", pod: "m-1" }), alert({ alertname: "ApiMulti", pod: "m-2" }), { status: "firing", labels: { severity: "x" } }])));
    expect(body).toMatchObject({ status: "multi-status", summary: { total: 3, created: 2, rejected: 1 } });
  });

  it("400 for invalid JSON, a payload without alerts, and one whose every alert is invalid", async () => {
    for (const payload of ["{not json", { version: "4" }, webhook([{ labels: {} }, { labels: { pod: "no-alertname" } }])]) {
      expect(conforms(P, "POST", await send(payload))).toMatchObject({ status: 400, code: "GW_INVALID_PAYLOAD" });
    }
  });

  it("401 without a token or with a bad one, 403 for a sender without the right", async () => {
    const payload = webhook([alert({ alertname: "ApiAuth", pod: "x" })]);
    expect(conforms(P, "POST", await send(payload, {}))).toMatchObject({ code: "GW_UNAUTHENTICATED" });
    expect(conforms(P, "POST", await send(payload, { authorization: "Bearer not-a-token" }))).toMatchObject({ code: "GW_UNAUTHENTICATED" });
    expect(conforms(P, "POST", await send(payload, bearer("nobody")))).toMatchObject({ code: "GW_FORBIDDEN" });
  });

  it("405 for GET, 413 above GATEWAY_MAX_BODY_BYTES, 415 for a non-JSON content type", async () => {
    conforms(P, "POST", await call("GET", PROMETHEUS_PATH)); // 405 is documented with the POST operation
    const big = webhook([alert({ alertname: "ApiBig", pod: "b", annotations: { summary: "x".repeat(8000) } })]);
    expect(conforms(P, "POST", await send(big))).toMatchObject({ code: "GW_PAYLOAD_TOO_LARGE" });
    const reply = await call("POST", PROMETHEUS_PATH, { body: "alertname=x", headers: { ...bearer("alertmanager"), "content-type": "text/plain" } });
    expect(conforms(P, "POST", reply)).toMatchObject({ code: "GW_UNSUPPORTED_MEDIA_TYPE" });
  });

  it("503 with Retry-After when more requests are in flight than GATEWAY_MAX_IN_FLIGHT", async () => {
    // A request that sends its headers and only part of its body holds the one slot.
    const { port } = new URL(gw.url);
    const slow = connect(Number(port), "127.0.0.1");
    await new Promise(r => slow.once("connect", r));
    slow.write(`POST ${PROMETHEUS_PATH} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tokenOf("alertmanager")}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"vers`);
    try {
      let reply: Reply | undefined;
      for (let i = 0; i < 50 && reply?.status !== 503; i++) {
        await new Promise(r => setTimeout(r, 50));
        reply = await send(webhook([alert({ alertname: "ApiBusy", pod: "x" })]));
      }
      expect(conforms(P, "POST", reply!)).toMatchObject({ code: "GW_OVERLOADED" });
    } finally {
      slow.destroy();
      // The slot frees once the server has seen the connection close.
      await waitFor("the slow request's slot to free", async () => /^rr_gateway_in_flight_requests 0$/m.test((await call("GET", "/metrics")).text));
    }
  });
});

describe("POST /api/v1/signals/kubernetes-event", () => {
  const E = "/api/v1/signals/kubernetes-event";
  it("201, 202, and 400 for a Normal event", async () => {
    const event = warningEvent("BackOff", { kind: "Pod", name: "ev-1" });
    expect(conforms(E, "POST", await call("POST", EVENT_PATH, { body: event, headers: bearer("alertmanager") }))).toMatchObject({ status: "created" });
    expect(conforms(E, "POST", await call("POST", EVENT_PATH, { body: event, headers: bearer("alertmanager") }))).toMatchObject({ status: "duplicate" });
    expect(conforms(E, "POST", await call("POST", EVENT_PATH, { body: { ...event, type: "Normal" }, headers: bearer("alertmanager") }))).toMatchObject({ code: "GW_INVALID_PAYLOAD" });
  });

  it("401, 403, 405, 413, 415", async () => {
    const event = warningEvent("BackOff", { kind: "Pod", name: "ev-2" });
    conforms(E, "POST", await call("POST", EVENT_PATH, { body: event }));
    conforms(E, "POST", await call("POST", EVENT_PATH, { body: event, headers: bearer("nobody") }));
    conforms(E, "POST", await call("GET", EVENT_PATH));
    conforms(E, "POST", await call("POST", EVENT_PATH, { body: { ...event, message: "x".repeat(8000) }, headers: bearer("alertmanager") }));
    conforms(E, "POST", await call("POST", EVENT_PATH, { body: "x", headers: { ...bearer("alertmanager"), "content-type": "text/plain" } }));
  });
});

describe("GATEWAY_SCOPE=managed-label", () => {
  it("200 with kubernaut's rejection for a signal out of scope, on both endpoints and inside a 207", async () => {
    const scoped = await startTestGateway(namespace, { GATEWAY_SCOPE: "managed-label" });
    try {
      const base = scoped.url;
      const outOfScope = `unlabelled-${namespace}`;
      const reply = await call("POST", PROMETHEUS_PATH, { base, body: webhook([alert({ alertname: "ApiScope", pod: "s-1", namespace: outOfScope })]) });
      expect(conforms("/api/v1/signals/prometheus", "POST", reply)).toMatchObject({ status: "rejected", rejection: { reason: "unmanaged_resource" } });
      const event = await call("POST", EVENT_PATH, { base, body: warningEvent("BackOff", { kind: "Pod", name: "s-2", namespace: outOfScope }) });
      expect(conforms("/api/v1/signals/kubernetes-event", "POST", event)).toMatchObject({ status: "rejected", rejection: { resource: `${outOfScope}:Pod:s-2` } });
      const mixed = await call("POST", PROMETHEUS_PATH, { base, body: webhook([alert({ alertname: "ApiScope", pod: "s-3", namespace: outOfScope }), { status: "firing", labels: { severity: "x" } }]) });
      expect(conforms("/api/v1/signals/prometheus", "POST", mixed)).toMatchObject({ status: "multi-status", summary: { rejected: 2 } });
    } finally {
      await scoped.stop();
    }
  });
});

describe("GATEWAY_AUTH_SCOPE=namespace", () => {
  it("403 naming the namespace for a signal its sender may not send, on both endpoints, and its result inside a 207", async () => {
    const token = (await signalSenderAccount(await env.kube("admin"), kubeconfigPath("admin"), namespace, "api-team-sender"))();
    const tenant = await startTestGateway(namespace, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_SCOPE: "namespace" });
    try {
      const base = tenant.url;
      const headers = { authorization: `Bearer ${token}` };
      const elsewhere = `elsewhere-${namespace}`;
      const alone = await call("POST", PROMETHEUS_PATH, { base, headers, body: webhook([alert({ alertname: "ApiTenant", pod: "t-1", namespace: elsewhere })]) });
      expect(conforms("/api/v1/signals/prometheus", "POST", alone)).toMatchObject({ status: 403, code: "GW_FORBIDDEN", forbidden: { scope: "namespace", namespace: elsewhere } });
      const event = await call("POST", EVENT_PATH, { base, headers, body: warningEvent("NodeNotReady", { kind: "Node", name: "t-node", namespace: "" }) });
      expect(conforms("/api/v1/signals/kubernetes-event", "POST", event)).toMatchObject({ status: 403, forbidden: { scope: "cluster" } });
      const mixed = await call("POST", PROMETHEUS_PATH, { base, headers, body: webhook([alert({ alertname: "ApiTenant", pod: "t-2", namespace }), alert({ alertname: "ApiTenant", pod: "t-3", namespace: elsewhere })]) });
      expect(conforms("/api/v1/signals/prometheus", "POST", mixed)).toMatchObject({ status: "multi-status", summary: { created: 1, rejected: 1 } });
    } finally {
      await tenant.stop();
    }
  });
});

describe("operations endpoints", () => {
  it("/healthz, /readyz and /metrics answer GET; other methods get 405; other paths 404", async () => {
    conforms("/healthz", "GET", await call("GET", "/healthz"));
    conforms("/readyz", "GET", await call("GET", "/readyz"));
    expect(conforms("/metrics", "GET", await call("GET", "/metrics"))).toMatch(/rr_gateway_http_request_duration_seconds_bucket/);
    // 405 is documented with the GET operation: "any other method".
    for (const p of ["/healthz", "/readyz", "/metrics"]) conforms(p, "GET", await call("POST", p, { body: {} }));
    conforms("/{other}", "GET", await call("GET", "/api/v2/alerts"));
  });
});

describe("while the API server cannot be reached", () => {
  it("503 with Retry-After for signals, and /readyz 503", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "api-contract-"));
    const kubeconfig = path.join(dir, "kubeconfig");
    writeFileSync(
      kubeconfig,
      yaml.dump({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "gone", cluster: { server: `https://127.0.0.1:${await freePort()}`, "certificate-authority": path.join(RUN_DIR, "pki/ca.crt") } }],
        users: [{ name: "u", user: { token: "x" } }],
        contexts: [{ name: "c", context: { cluster: "gone", user: "u" } }],
        "current-context": "c",
      }),
    );
    const config = loadGatewayConfig({ GATEWAY_HOST: "127.0.0.1", GATEWAY_PORT: "0", GATEWAY_NAMESPACE: namespace, GATEWAY_AUTH: "none", EVENT_SOURCE_ENABLED: "false", KUBECONFIG: kubeconfig, GATEWAY_SHUTDOWN_GRACE_SECONDS: "1" });
    const down = await startGateway(config, pino({ level: "silent" }));
    try {
      const base = `http://127.0.0.1:${down.port}`;
      conforms("/readyz", "GET", await call("GET", "/readyz", { base }));
      const reply = await call("POST", PROMETHEUS_PATH, { base, body: webhook([alert({ alertname: "ApiDown", pod: "x" })]) });
      expect(conforms("/api/v1/signals/prometheus", "POST", reply)).toMatchObject({ code: "GW_API_UNAVAILABLE" });
      const event = await call("POST", EVENT_PATH, { base, body: warningEvent("BackOff", { kind: "Pod", name: "down" }) });
      expect(conforms("/api/v1/signals/kubernetes-event", "POST", event)).toMatchObject({ status: 503 });
    } finally {
      await down.stop();
    }
  }, 60_000);
});

describe("docs/api.yaml", () => {
  it("lists exactly the gateway's error codes, and every 503 code among the retryable ones", () => {
    expect([...spec.components.schemas.Problem.properties.code.enum].sort()).toEqual([...PROBLEM_CODES].sort());
    const retryable = PROBLEM_CODES.filter(code => ANSWER_CODES[code].status === 503).sort();
    expect([...spec.components.responses.Unavailable.content["application/problem+json"].schema.allOf[1].properties.code.enum].sort()).toEqual(retryable);
  });

  it("documents only what the gateway does: every documented status was produced above (500 aside)", () => {
    const documented: string[] = [];
    for (const [template, item] of Object.entries<Obj>(spec.paths)) {
      for (const [method, operation] of Object.entries<Obj>(item)) {
        for (const status of Object.keys(operation.responses)) if (status !== "500") documented.push(`${method.toUpperCase()} ${template} ${status}`);
      }
    }
    expect(documented.filter(d => !covered.has(d))).toEqual([]);
  });
});
