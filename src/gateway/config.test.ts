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
      maxBodyBytes: 262144,
      maxInFlight: 100,
      stormThreshold: 5,
      stormWindowMs: 60_000,
      auth: { mode: "kubernetes", access: { verb: "create", group: "kubernaut.ai", resource: "signals" } },
    });
    expect(config.tls).toBeUndefined();
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
});
