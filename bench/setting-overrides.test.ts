import { gatewaySettings, settingOverrides } from "./setting-overrides";

describe("the gateway settings a bench run records", () => {
  it("lists the documented gateway settings set in the environment", () => {
    expect(settingOverrides({ GATEWAY_GROUP_COMMIT_LINGER_MS: "5", EVENT_SOURCE_REASONS: "BackOff", PATH: "/usr/bin" })).toEqual({
      EVENT_SOURCE_REASONS: "BackOff",
      GATEWAY_GROUP_COMMIT_LINGER_MS: "5",
    });
  });

  it("leaves out what the bench sets itself and where the API server is", () => {
    expect(settingOverrides({ GATEWAY_AUTH: "none", LOG_LEVEL: "debug", KUBECONFIG: "/tmp/kubeconfig", EVENT_SOURCE_ENABLED: "true", GATEWAY_SHUTDOWN_GRACE_SECONDS: "30" })).toEqual({});
  });

  it("says in the results file whether the gateways ran with the defaults", () => {
    expect(gatewaySettings({}).other).toBe("defaults");
    expect(gatewaySettings({ GATEWAY_GROUP_COMMIT_LINGER_MS: "5" })).toMatchObject({ other: "defaults except overrides", overrides: { GATEWAY_GROUP_COMMIT_LINGER_MS: "5" } });
  });
});
