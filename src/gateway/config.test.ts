import { ConfigError, GATEWAY_ENV, loadGatewayConfig } from "./config";

describe("loadGatewayConfig", () => {
  it("has a sensible default for everything", () => {
    const config = loadGatewayConfig({});
    expect(config).toMatchObject({
      host: "0.0.0.0",
      port: 8080,
      namespace: "kubernaut-system",
      fingerprintStrategy: "resource",
      ignoredAlerts: [],
      maxBodyBytes: 33_554_432,
      maxBufferedBytes: 67_108_864,
      maxInFlight: 100,
      stormThreshold: 5,
      stormWindowMs: 60_000,
      auth: { mode: "kubernetes", access: { verb: "create", group: "kubernaut.ai", resource: "signals", namespace: "kubernaut-system" } },
      clusterId: "",
    });
    expect(config.auth.access.name).toBeUndefined();
    expect(config.tls).toBeUndefined();
  });

  it("checks senders as kubernaut's gateway does with the kubernaut preset: create on the Service gateway-service", () => {
    expect(loadGatewayConfig({ GATEWAY_AUTH_PRESET: "kubernaut", GATEWAY_NAMESPACE: "kubernaut-system" }).auth.access).toEqual({
      verb: "create",
      group: "",
      resource: "services",
      name: "gateway-service",
      namespace: "kubernaut-system",
    });
  });

  it("lets each SubjectAccessReview attribute be set on its own over the preset", () => {
    const access = loadGatewayConfig({ GATEWAY_AUTH_PRESET: "kubernaut", GATEWAY_AUTH_RESOURCE_NAME: "-", GATEWAY_AUTH_GROUP: "core", GATEWAY_AUTH_VERB: "update", GATEWAY_AUTH_NAMESPACE: "monitoring" }).auth.access;
    expect(access).toEqual({ verb: "update", group: "", resource: "services", namespace: "monitoring" });
    expect(loadGatewayConfig({ GATEWAY_AUTH_GROUP: "example.com", GATEWAY_AUTH_RESOURCE: "alerts", GATEWAY_AUTH_RESOURCE_NAME: "am" }).auth.access).toEqual({
      verb: "create",
      group: "example.com",
      resource: "alerts",
      name: "am",
      namespace: "kubernaut-system",
    });
  });

  it("protects against replays by default, with kubernaut's windows (5 minutes old, 2 minutes ahead), or not at all when off", () => {
    expect(loadGatewayConfig({}).freshness).toEqual({ maxAgeMs: 300_000, maxAheadMs: 120_000 });
    expect(loadGatewayConfig({ GATEWAY_REPLAY_MAX_AGE_SECONDS: "60", GATEWAY_REPLAY_MAX_AHEAD_SECONDS: "0" }).freshness).toEqual({ maxAgeMs: 60_000, maxAheadMs: 0 });
    expect(loadGatewayConfig({ GATEWAY_REPLAY_PROTECTION: "off" }).freshness).toBeUndefined();
  });

  it("reads the audiences a token must be issued for, none by default", () => {
    expect(loadGatewayConfig({}).auth.audiences).toEqual([]);
    expect(loadGatewayConfig({ GATEWAY_AUTH_AUDIENCES: "rr-gateway, other ,," }).auth.audiences).toEqual(["rr-gateway", "other"]);
  });

  it("lets every signal through by default (GATEWAY_SCOPE=all); managed-label is kubernaut's rule, which the deployed install and npm run dev set", () => {
    expect(loadGatewayConfig({}).scope).toBe("all");
    expect(loadGatewayConfig({ GATEWAY_SCOPE: "managed-label" }).scope).toBe("managed-label");
    expect(() => loadGatewayConfig({ GATEWAY_SCOPE: "labels" })).toThrow('GATEWAY_SCOPE="labels": must be one of managed-label, all');
  });

  it("refuses an unknown preset", () => {
    expect(() => loadGatewayConfig({ GATEWAY_AUTH_PRESET: "istio" })).toThrow('GATEWAY_AUTH_PRESET="istio": must be one of rr-gateway, kubernaut');
  });

  it("reads every documented variable", () => {
    expect(Object.keys(GATEWAY_ENV)).toContain("GATEWAY_PORT");
    expect(loadGatewayConfig({ GATEWAY_FINGERPRINT_STRATEGY: "kubernaut", GATEWAY_IGNORED_ALERTS: "Watchdog, InfoInhibitor," })).toMatchObject({
      fingerprintStrategy: "kubernaut",
      ignoredAlerts: ["Watchdog", "InfoInhibitor"],
    });
    expect(loadGatewayConfig({ GATEWAY_PORT: "9000", GATEWAY_FINGERPRINT_STRATEGY: "owner", GATEWAY_STORM_WINDOW_SECONDS: "5" })).toMatchObject({
      port: 9000,
      fingerprintStrategy: "owner",
      stormWindowMs: 5000,
    });
  });

  it("lists every problem at once, naming the variable", () => {
    let error: ConfigError | undefined;
    try {
      loadGatewayConfig({ GATEWAY_PORT: "http", GATEWAY_NAMESPACE: "Not_Valid", GATEWAY_AUTH: "maybe", GATEWAY_TLS_CERT_FILE: "/c.pem" });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems).toEqual([
      'GATEWAY_NAMESPACE="Not_Valid": not a valid namespace name',
      'GATEWAY_PORT="http": must be a whole number from 0 to 65535',
      'GATEWAY_AUTH="maybe": must be one of kubernetes, static, none',
      "GATEWAY_TLS_CERT_FILE and GATEWAY_TLS_KEY_FILE go together: set both or neither",
    ]);
  });

  it("needs a tokens file for static auth", () => {
    expect(() => loadGatewayConfig({ GATEWAY_AUTH: "static" })).toThrow("GATEWAY_AUTH=static needs GATEWAY_STATIC_TOKENS_FILE");
  });

  it("authorises senders for the gateway as a whole by default, per target namespace with GATEWAY_AUTH_SCOPE=namespace", () => {
    expect(loadGatewayConfig({}).auth.scope).toBe("gateway");
    expect(loadGatewayConfig({ GATEWAY_AUTH_SCOPE: "namespace" }).auth.scope).toBe("namespace");
  });

  it("refuses GATEWAY_AUTH_SCOPE=namespace without Kubernetes identities to authorise", () => {
    expect(() => loadGatewayConfig({ GATEWAY_AUTH_SCOPE: "namespace", GATEWAY_AUTH: "none" })).toThrow("GATEWAY_AUTH_SCOPE=namespace needs GATEWAY_AUTH=kubernetes (senders with a Kubernetes identity), not none");
  });
});
