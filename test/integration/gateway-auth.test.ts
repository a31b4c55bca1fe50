import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pino, { type Logger } from "pino";
import { Agent, request } from "undici";
import { alert, post, PROMETHEUS_PATH, uniqueNames, webhook } from "../helpers/signals";
import { kubeconfigPath, tokenOf } from "./helpers/controlplane";
import { TestEnvironment } from "./helpers/environment";
import { bindRole, signalSenderAccount } from "./helpers/rbac";
import { startTestGateway, TestGateway } from "./helpers/gateway";
import { createCa, issueCertificate } from "../helpers/test-pki";

/**
 * Authentication and authorization against the real API server: bearer
 * tokens go through TokenReview and a SubjectAccessReview (RBAC "create" on
 * signals.kubernaut.ai), static tokens come from a file, results are cached,
 * tokens never reach the log, and TLS (with client certificates) is served
 * when certificates are given.
 */

const env = new TestEnvironment();
const dir = mkdtempSync(path.join(tmpdir(), "rrgw-auth-"));
const STATIC_TOKEN = `static-${Date.now().toString(36)}-dev-token`;
const GARBAGE_TOKEN = "garbage-0123456789abcdef0123456789abcdef";
const tokensFile = path.join(dir, "tokens");
writeFileSync(tokensFile, `# senders without a Kubernetes identity\n${STATIC_TOKEN}\n`);

let ns: string;
const freshPod = uniqueNames("pod");
const payload = () => webhook([alert({ alertname: "AuthProbe", pod: freshPod() })]);
const authorized = (token: string) => ({ authorization: `Bearer ${token}` });

/** A logger that keeps every line, at the most verbose level, for the test to search. */
function capturingLogger(): { logger: Logger; text: () => string } {
  const lines: string[] = [];
  return { logger: pino({ level: "trace" }, { write: (line: string) => void lines.push(line) }), text: () => lines.join("") };
}

async function reviews(gw: TestGateway): Promise<Record<string, number>> {
  const { values } = await gw.gateway.metrics.authReviews.get();
  return Object.fromEntries(values.map(v => [String(v.labels.result), v.value]));
}

beforeAll(async () => {
  ns = await env.freshNamespace("auth");
});
afterAll(() => env.close());

describe("with audience-bound tokens (GATEWAY_AUTH_AUDIENCES=rr-gateway)", () => {
  let gw: TestGateway;
  let tokenFor: (audience?: string) => string;

  beforeAll(async () => {
    tokenFor = await signalSenderAccount(await env.kube("admin"), kubeconfigPath("admin"), ns, "am-sender");
    gw = await startTestGateway(ns, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_AUDIENCES: "rr-gateway" });
  });
  afterAll(() => gw?.stop());

  it("lets in a projected token issued for the audience rr-gateway", async () => {
    expect((await post(gw.url, PROMETHEUS_PATH, payload(), authorized(tokenFor("rr-gateway")))).status).toBe(201);
  });

  it("refuses with 401 a token of the same service account that is valid against the API server, and a static one", async () => {
    for (const token of [tokenFor(), tokenOf("alertmanager")]) {
      const reply = await post(gw.url, PROMETHEUS_PATH, payload(), authorized(token));
      expect(reply.status).toBe(401);
      expect(reply.body).toMatchObject({ code: "GW_UNAUTHENTICATED", detail: "the bearer token is not valid for the audience rr-gateway" });
    }
  });
});

describe("with the kubernaut sender preset (GATEWAY_AUTH_PRESET=kubernaut)", () => {
  let gw: TestGateway;

  beforeAll(async () => {
    // kubernaut's sender RBAC: "create" on the Service gateway-service in the gateway's namespace.
    const admin = await env.kube("admin");
    await admin.request({
      method: "POST",
      path: `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`,
      body: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: { name: "kubernaut-gateway-sender" }, rules: [{ apiGroups: [""], resources: ["services"], resourceNames: ["gateway-service"], verbs: ["create"] }] },
      what: "create Role kubernaut-gateway-sender",
    });
    await bindRole(admin, ns, "kubernaut-gateway-sender", { kind: "Role", name: "kubernaut-gateway-sender" }, { kind: "User", name: "nobody" });
    gw = await startTestGateway(ns, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_PRESET: "kubernaut" });
  });
  afterAll(() => gw?.stop());

  it("lets in a sender that kubernaut's sender RBAC allows, unchanged", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, payload(), authorized(tokenOf("nobody")));
    expect(reply.status).toBe(201);
  });

  it("refuses one allowed only rr-gateway's signals resource, naming kubernaut's permission", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, payload(), authorized(tokenOf("alertmanager")));
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({ code: "GW_FORBIDDEN", detail: `alertmanager may not send signals: needs "create" on services/gateway-service in namespace ${ns}` });
  });
});

describe("with GATEWAY_AUTH=kubernetes (TokenReview + SubjectAccessReview) and a static tokens file", () => {
  let gw: TestGateway;
  const log = capturingLogger();

  beforeAll(async () => {
    gw = await startTestGateway(ns, { GATEWAY_AUTH: "kubernetes", GATEWAY_STATIC_TOKENS_FILE: tokensFile }, { logger: log.logger });
  });
  afterAll(() => gw?.stop());

  it("lets in a sender RBAC allows to create signals (the alertmanager identity)", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, payload(), authorized(tokenOf("alertmanager")));
    expect(reply.status).toBe(201);
  });

  it("refuses a valid token without that permission with 403, naming what is missing", async () => {
    const reply = await post(gw.url, PROMETHEUS_PATH, payload(), authorized(tokenOf("nobody")));
    expect(reply.status).toBe(403);
    expect(reply.headers["content-type"]).toBe("application/problem+json");
    expect(reply.body).toMatchObject({ status: 403, code: "GW_FORBIDDEN", detail: `nobody may not send signals: needs "create" on signals.kubernaut.ai in namespace ${ns}` });
  });

  it.each([
    ["an unknown token", authorized(GARBAGE_TOKEN), /the bearer token is not valid/],
    ["no Authorization header", {}, /missing Authorization: Bearer <token>/],
    ["another scheme", { authorization: "Basic YWxlcnRtYW5hZ2VyOnNlY3JldA==" }, /must be "Bearer <token>"/],
  ])("refuses %s with 401", async (_what, headers, detail) => {
    const reply = await post(gw.url, PROMETHEUS_PATH, payload(), headers);
    expect(reply.status).toBe(401);
    expect(reply.headers["content-type"]).toBe("application/problem+json");
    expect(reply.headers["www-authenticate"]).toBe('Bearer realm="rr-gateway"');
    expect(reply.body).toMatchObject({ status: 401, code: "GW_UNAUTHENTICATED", detail: expect.stringMatching(detail) });
  });

  it("lets in a token from the static tokens file, and not one that differs by a character", async () => {
    expect((await post(gw.url, PROMETHEUS_PATH, payload(), authorized(STATIC_TOKEN))).status).toBe(201);
    expect((await post(gw.url, PROMETHEUS_PATH, payload(), authorized(STATIC_TOKEN.slice(0, -1) + "X"))).status).toBe(401);
  });

  it("records nothing for a refused sender", async () => {
    const admin = await env.rrClient("admin", ns);
    const before = (await admin.list()).items.length;
    await post(gw.url, PROMETHEUS_PATH, payload(), authorized(tokenOf("nobody")));
    await post(gw.url, PROMETHEUS_PATH, payload(), authorized(GARBAGE_TOKEN));
    expect((await admin.list()).items.length).toBe(before);
  });

  it("writes one access-log line per request at debug: method, path, status, duration, request id, and the caller once authenticated, never the body", async () => {
    const secretInBody = `body-only-${Date.now().toString(36)}`;
    const body = webhook([alert({ alertname: "AccessLogged", pod: freshPod(), annotations: { summary: secretInBody } })]);
    const id = `access-${Date.now().toString(36)}`;
    expect((await post(gw.url, `${PROMETHEUS_PATH}?debug=1`, body, { ...authorized(tokenOf("alertmanager")), "x-request-id": `${id}-ok` })).status).toBe(201);
    expect((await post(gw.url, PROMETHEUS_PATH, body, { ...authorized(GARBAGE_TOKEN), "x-request-id": `${id}-refused` })).status).toBe(401);
    expect((await request(`${gw.url}/readyz`, { headers: { "x-request-id": `${id}-probe` } })).statusCode).toBe(200);

    const access = log
      .text()
      .trim()
      .split("\n")
      .map(line => JSON.parse(line) as Record<string, unknown>)
      .filter(line => line.msg === "request completed" && String(line.requestId).startsWith(id));
    expect(access).toEqual([
      { level: 20, time: expect.any(Number), pid: expect.any(Number), hostname: expect.any(String), msg: "request completed", requestId: `${id}-ok`, method: "POST", path: PROMETHEUS_PATH, status: 201, durationMs: expect.any(Number), caller: expect.stringMatching(/alertmanager/) },
      { level: 20, time: expect.any(Number), pid: expect.any(Number), hostname: expect.any(String), msg: "request completed", requestId: `${id}-refused`, method: "POST", path: PROMETHEUS_PATH, status: 401, durationMs: expect.any(Number) },
      { level: 20, time: expect.any(Number), pid: expect.any(Number), hostname: expect.any(String), msg: "request completed", requestId: `${id}-probe`, method: "GET", path: "/readyz", status: 200, durationMs: expect.any(Number) },
    ]);
    expect(log.text()).not.toContain(secretInBody);
  });

  it("never writes a token to its log, even at trace level", () => {
    const text = log.text();
    expect(text).toMatch(/gateway listening/);
    for (const token of [tokenOf("alertmanager"), tokenOf("nobody"), tokenOf("gateway"), GARBAGE_TOKEN, STATIC_TOKEN]) expect(text).not.toContain(token);
  });
});

describe("the result cache", () => {
  it("turns a storm of 200 requests with one token into one TokenReview, and one with a bad token into one more", async () => {
    const gw = await startTestGateway(ns, { GATEWAY_AUTH: "kubernetes", GATEWAY_AUTH_CACHE_SECONDS: "30" });
    try {
      const token = tokenOf("alertmanager");
      const storm = await Promise.all(Array.from({ length: 100 }, () => post(gw.url, PROMETHEUS_PATH, payload(), authorized(token))));
      for (let i = 0; i < 100; i++) storm.push(await post(gw.url, PROMETHEUS_PATH, payload(), authorized(token)));
      expect(storm.every(r => r.status === 201)).toBe(true);
      expect(await reviews(gw)).toEqual({ allowed: 1 });

      const refused = await Promise.all(Array.from({ length: 50 }, () => post(gw.url, PROMETHEUS_PATH, payload(), authorized(GARBAGE_TOKEN))));
      expect(refused.every(r => r.status === 401)).toBe(true);
      expect(await reviews(gw)).toEqual({ allowed: 1, unauthenticated: 1 });
    } finally {
      await gw.stop();
    }
  }, 60_000);
});

describe("turning authentication off", () => {
  it("happens only with GATEWAY_AUTH=none, and the gateway warns at start", async () => {
    const log = capturingLogger();
    const gw = await startTestGateway(ns, { GATEWAY_AUTH: "none" }, { logger: log.logger });
    try {
      expect((await post(gw.url, PROMETHEUS_PATH, payload())).status).toBe(201);
      const warnings = log
        .text()
        .split("\n")
        .filter(Boolean)
        .map(line => JSON.parse(line) as { level: number; msg: string })
        .filter(l => l.level === 40);
      expect(warnings.map(w => w.msg)).toContain("authentication is disabled (GATEWAY_AUTH=none): anyone who can reach the gateway can create RemediationRequests");
    } finally {
      await gw.stop();
    }
  });

  it("is on by default: without GATEWAY_AUTH a request without a token gets 401", async () => {
    // Unset the helper's GATEWAY_AUTH=none, so the gateway sees no setting at all.
    const gw = await startTestGateway(ns, { GATEWAY_AUTH: undefined } as unknown as Record<string, string>);
    try {
      expect(gw.config.auth.mode).toBe("kubernetes");
      expect((await post(gw.url, PROMETHEUS_PATH, payload())).status).toBe(401);
    } finally {
      await gw.stop();
    }
  });
});

describe("TLS", () => {
  const pki = path.join(dir, "pki");
  const file = (name: string) => path.join(pki, name);

  beforeAll(() => {
    const ca = createCa(pki, "ca");
    const otherCa = createCa(pki, "other-ca");
    issueCertificate(pki, "server", ca, "subjectAltName=IP:127.0.0.1,DNS:localhost");
    issueCertificate(pki, "client", ca, "extendedKeyUsage=clientAuth");
    // "stranger" is a client certificate from another CA.
    issueCertificate(pki, "stranger", otherCa, "extendedKeyUsage=clientAuth");
  });

  const tlsEnv = () => ({ GATEWAY_AUTH: "static", GATEWAY_STATIC_TOKENS_FILE: tokensFile, GATEWAY_TLS_CERT_FILE: file("server.crt"), GATEWAY_TLS_KEY_FILE: file("server.key") });

  async function postTls(url: string, agent: Agent): Promise<number> {
    const res = await request(url + PROMETHEUS_PATH, {
      method: "POST",
      dispatcher: agent,
      headers: { "content-type": "application/json", ...authorized(STATIC_TOKEN) },
      body: JSON.stringify(payload()),
    });
    await res.body.text();
    return res.statusCode;
  }

  it("serves HTTPS with the given certificate, and nothing in plain HTTP", async () => {
    const gw = await startTestGateway(ns, tlsEnv());
    const agent = new Agent({ connect: { ca: readFileSync(file("ca.crt")) } });
    try {
      expect(gw.url).toMatch(/^https:/);
      expect(await postTls(gw.url, agent)).toBe(201);
      await expect(request(gw.url.replace("https:", "http:") + "/healthz")).rejects.toThrow();
    } finally {
      await agent.close();
      await gw.stop();
    }
  });

  it("requires a client certificate signed by the CA when GATEWAY_TLS_CLIENT_CA_FILE is set", async () => {
    const gw = await startTestGateway(ns, { ...tlsEnv(), GATEWAY_TLS_CLIENT_CA_FILE: file("ca.crt") });
    const ca = readFileSync(file("ca.crt"));
    const withCert = new Agent({ connect: { ca, cert: readFileSync(file("client.crt")), key: readFileSync(file("client.key")) } });
    const withoutCert = new Agent({ connect: { ca } });
    const wrongCert = new Agent({ connect: { ca, cert: readFileSync(file("stranger.crt")), key: readFileSync(file("stranger.key")) } });
    try {
      expect(await postTls(gw.url, withCert)).toBe(201);
      await expect(postTls(gw.url, withoutCert)).rejects.toThrow();
      // A client certificate, but from another CA.
      await expect(postTls(gw.url, wrongCert)).rejects.toThrow();
    } finally {
      await Promise.all([withCert.close(), withoutCert.close(), wrongCert.close()]);
      await gw.stop();
    }
  });
});
