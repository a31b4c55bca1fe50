import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ForbiddenError, UnavailableError } from "../k8s/errors";
import type { KubeClient, KubeRequest } from "../k8s/kube-client";
import { BearerAuthenticator, readStaticTokens } from "./auth";
import type { GatewayConfig } from "./config";
import { GatewayError } from "./errors";

type Users = Record<string, { user: string; allowed: boolean }>;

/** A fake API server: TokenReview knows `users`; each review waits for `gate` if set; `down` makes every call fail. */
function fakeKube(users: Users) {
  const calls: string[] = [];
  const state = { down: false as false | "unavailable" | "forbidden", gate: undefined as Promise<void> | undefined };
  const kube = {
    async request(req: KubeRequest): Promise<unknown> {
      calls.push(req.what);
      await state.gate;
      if (state.down === "unavailable") throw new UnavailableError(`${req.what}: down`, 0);
      if (state.down === "forbidden") throw new ForbiddenError(`${req.what}: forbidden`, 403);
      const body = req.body as { spec: { token?: string; user?: string } };
      if (req.what === "TokenReview") {
        const known = users[body.spec.token!];
        return { status: known ? { authenticated: true, user: { username: known.user, groups: [] } } : { authenticated: false } };
      }
      return { status: { allowed: Object.values(users).some(u => u.user === body.spec.user && u.allowed) } };
    },
  } as unknown as KubeClient;
  return { kube, calls, state };
}

const config = (overrides: Partial<GatewayConfig["auth"]> = {}): GatewayConfig["auth"] => ({
  mode: "kubernetes",
  access: { verb: "create", group: "kubernaut.ai", resource: "signals", namespace: "kubernaut-system" },
  scope: "gateway",
  audiences: [],
  cacheTtlMs: 30_000,
  cacheSize: 100,
  ...overrides,
});

const USERS: Users = { "am-token": { user: "alertmanager", allowed: true }, "nobody-token": { user: "nobody", allowed: false } };
const bearer = (token: string): string => `Bearer ${token}`;
const codeOf = (p: Promise<unknown>): Promise<string> => p.then(() => "ok", (e: GatewayError) => e.code);

describe("BearerAuthenticator", () => {
  it("lets in a reviewed and authorized token, and names the caller", async () => {
    const { kube, calls } = fakeKube(USERS);
    const auth = new BearerAuthenticator(config(), [], kube);
    await expect(auth.authenticate(bearer("am-token"))).resolves.toEqual({ user: "alertmanager", via: "kubernetes", identity: { username: "alertmanager", groups: [] } });
    expect(calls).toEqual(["TokenReview", "SubjectAccessReview"]);
  });

  it("with GATEWAY_AUTH_SCOPE=namespace, only reviews the token and names the identity: access is asked per namespace later", async () => {
    const { kube, calls } = fakeKube(USERS);
    const auth = new BearerAuthenticator(config({ scope: "namespace" }), [], kube);
    await expect(auth.authenticate(bearer("nobody-token"))).resolves.toEqual({ user: "nobody", via: "kubernetes", identity: { username: "nobody", groups: [] } });
    expect(calls).toEqual(["TokenReview"]);
  });

  it.each([
    ["no header", undefined, "GW_UNAUTHENTICATED"],
    ["another scheme", "Basic YTpi", "GW_UNAUTHENTICATED"],
    ["an empty bearer", "Bearer ", "GW_UNAUTHENTICATED"],
    ["an unknown token", bearer("garbage"), "GW_UNAUTHENTICATED"],
    ["a token without the permission", bearer("nobody-token"), "GW_FORBIDDEN"],
  ])("refuses %s", async (_what, header, code) => {
    const auth = new BearerAuthenticator(config(), [], fakeKube(USERS).kube);
    expect(await codeOf(auth.authenticate(header))).toBe(code);
  });

  it("makes one review for a storm of concurrent requests with one token, and answers the rest from its cache", async () => {
    const { kube, calls, state } = fakeKube(USERS);
    let open!: () => void;
    state.gate = new Promise(resolve => (open = resolve));
    const reviews: string[] = [];
    const auth = new BearerAuthenticator(config(), [], kube, { onReview: r => reviews.push(r) });
    const storm = Array.from({ length: 100 }, () => auth.authenticate(bearer("am-token")));
    open();
    expect(new Set((await Promise.all(storm)).map(c => c.user))).toEqual(new Set(["alertmanager"]));
    for (let i = 0; i < 100; i++) await auth.authenticate(bearer("am-token"));
    expect(calls).toEqual(["TokenReview", "SubjectAccessReview"]);
    expect(reviews).toEqual(["allowed"]);
  });

  it("caches denials briefly too, but never an outage", async () => {
    const { kube, calls, state } = fakeKube(USERS);
    const auth = new BearerAuthenticator(config(), [], kube);
    for (let i = 0; i < 3; i++) expect(await codeOf(auth.authenticate(bearer("garbage")))).toBe("GW_UNAUTHENTICATED");
    expect(calls).toHaveLength(1);

    state.down = "unavailable";
    for (let i = 0; i < 3; i++) expect(await codeOf(auth.authenticate(bearer("am-token")))).toBe("GW_API_UNAVAILABLE");
    expect(calls).toHaveLength(4);
    state.down = false;
    expect(await codeOf(auth.authenticate(bearer("am-token")))).toBe("ok");
  });

  it("reviews again once an entry's TTL has passed", async () => {
    const { kube, calls } = fakeKube(USERS);
    const auth = new BearerAuthenticator(config({ cacheTtlMs: 1 }), [], kube);
    await auth.authenticate(bearer("am-token"));
    await new Promise(r => setTimeout(r, 5));
    await auth.authenticate(bearer("am-token"));
    expect(calls.filter(c => c === "TokenReview")).toHaveLength(2);
  });

  it("keeps its cache within cacheSize, evicting the oldest entries", async () => {
    const users: Users = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`t${i}`, { user: `u${i}`, allowed: true }]));
    const { kube, calls } = fakeKube(users);
    const auth = new BearerAuthenticator(config({ cacheSize: 3 }), [], kube);
    for (let i = 0; i < 10; i++) await auth.authenticate(bearer(`t${i}`));
    expect(auth.cacheSize).toBe(3);
    calls.length = 0;
    await auth.authenticate(bearer("t9"));
    expect(calls).toEqual([]);
    await auth.authenticate(bearer("t0"));
    expect(calls).toEqual(["TokenReview", "SubjectAccessReview"]);
  });

  it("answers 503 and logs, without the token, when the API server refuses the gateway's own review", async () => {
    const { kube, state } = fakeKube(USERS);
    state.down = "forbidden";
    const logged: unknown[] = [];
    const auth = new BearerAuthenticator(config(), [], kube, { logger: { error: (obj: unknown, msg?: string) => logged.push([obj, msg]) } as never });
    const err = await auth.authenticate(bearer("am-token")).catch((e: GatewayError) => e);
    expect(err).toBeInstanceOf(GatewayError);
    expect((err as GatewayError).status).toBe(503);
    expect(JSON.stringify(logged)).toMatch(/refused the gateway's own TokenReview/);
    expect(JSON.stringify(logged)).not.toContain("am-token");
  });
});

describe("static tokens", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "rrgw-auth-"));
  const file = path.join(dir, "tokens");
  writeFileSync(file, "# development senders\n\ndev-token-1\r\n  dev-token-2  \n");

  it("reads one token per line, skipping comments and blank lines", () => {
    expect(readStaticTokens(file)).toHaveLength(2);
  });

  it("lets in a listed token without asking the API server, and nothing else in static mode", async () => {
    const { kube, calls } = fakeKube(USERS);
    const auth = new BearerAuthenticator(config({ mode: "static" }), readStaticTokens(file), kube);
    await expect(auth.authenticate(bearer("dev-token-2"))).resolves.toEqual({ user: "static-token", via: "static-token" });
    expect(await codeOf(auth.authenticate(bearer("dev-token-3")))).toBe("GW_UNAUTHENTICATED");
    expect(await codeOf(auth.authenticate(bearer("dev-token-")))).toBe("GW_UNAUTHENTICATED");
    expect(await codeOf(auth.authenticate(bearer("am-token")))).toBe("GW_UNAUTHENTICATED");
    expect(calls).toEqual([]);
  });

  it("takes static tokens alongside TokenReview in kubernetes mode", async () => {
    const { kube, calls } = fakeKube(USERS);
    const auth = new BearerAuthenticator(config(), readStaticTokens(file), kube);
    await expect(auth.authenticate(bearer("dev-token-1"))).resolves.toMatchObject({ via: "static-token" });
    await expect(auth.authenticate(bearer("am-token"))).resolves.toMatchObject({ via: "kubernetes" });
    expect(calls).toEqual(["TokenReview", "SubjectAccessReview"]);
  });
});
