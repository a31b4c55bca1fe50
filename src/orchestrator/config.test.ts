import { configFromEnv, ConfigSources } from "./config";
import { OrchestratorConfigError } from "./errors";

function sources(files: Record<string, string> = {}): ConfigSources {
  return {
    readFile: path => {
      if (!(path in files)) throw new Error(`ENOENT: no such file or directory, open '${path}'`);
      return files[path];
    },
    defaultIdentity: () => "host-123",
  };
}

/** The problems an invalid configuration reports. */
function problemsOf(env: Record<string, string>, files?: Record<string, string>): string[] {
  try {
    configFromEnv(env, sources(files));
  } catch (err) {
    if (err instanceof OrchestratorConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("configFromEnv", () => {
  it("lists an invalid log level among its problems (ORCHESTRATOR_LOG_LEVEL, else LOG_LEVEL) rather than throwing at load", () => {
    expect(problemsOf({ LOG_LEVEL: "verbose" })).toEqual(['LOG_LEVEL: "verbose" is not a log level (fatal, error, warn, info, debug, trace, silent)']);
    expect(problemsOf({ LOG_LEVEL: "info", ORCHESTRATOR_LOG_LEVEL: "loud" })).toEqual(['ORCHESTRATOR_LOG_LEVEL: "loud" is not a log level (fatal, error, warn, info, debug, trace, silent)']);
    expect(configFromEnv({ ORCHESTRATOR_LOG_LEVEL: "debug" }, sources()).namespace).toBe("kubernaut-system");
  });

  it("has defaults for everything: the gateway's namespace, 2s phases, success, kubernaut's routing defaults (3 failures, 1h cooldown, 1m..10m backoff, 24h and 1h holds), a 15s lease", () => {
    expect(configFromEnv({}, sources())).toEqual({
      namespace: "kubernaut-system",
      identity: "host-123",
      durations: { Pending: 2_000, Processing: 2_000, Analyzing: 2_000, Executing: 2_000, Verifying: 2_000 },
      rules: [],
      configFile: undefined,
      failureThreshold: 3,
      cooldownMs: 3_600_000,
      backoff: { baseMs: 60_000, maxMs: 600_000 },
      noActionHoldMs: 86_400_000,
      dryRunHoldMs: 3_600_000,
      lease: { name: "rr-orchestrator", namespace: "kubernaut-system", durationMs: 15_000 },
    });
  });

  it("reads every variable", () => {
    const config = configFromEnv(
      {
        ORCHESTRATOR_NAMESPACE: "demo",
        ORCHESTRATOR_IDENTITY: "ro-a",
        ORCHESTRATOR_PHASE_DURATION: "100ms",
        ORCHESTRATOR_ANALYZING_DURATION: "1s",
        ORCHESTRATOR_FAILURE_THRESHOLD: "5",
        ORCHESTRATOR_BLOCK_COOLDOWN: "2m",
        ORCHESTRATOR_BACKOFF_BASE: "0",
        ORCHESTRATOR_BACKOFF_MAX: "5m",
        ORCHESTRATOR_NO_ACTION_HOLD: "1h",
        ORCHESTRATOR_DRY_RUN_HOLD: "0",
        ORCHESTRATOR_LEASE_NAME: "ro",
        ORCHESTRATOR_LEASE_NAMESPACE: "kube-system",
        ORCHESTRATOR_LEASE_DURATION: "2s",
      },
      sources(),
    );
    expect(config).toMatchObject({
      namespace: "demo",
      identity: "ro-a",
      durations: { Pending: 100, Processing: 100, Analyzing: 1_000, Executing: 100, Verifying: 100 },
      failureThreshold: 5,
      cooldownMs: 120_000,
      backoff: { baseMs: 0, maxMs: 300_000 },
      noActionHoldMs: 3_600_000,
      dryRunHoldMs: 0,
      lease: { name: "ro", namespace: "kube-system", durationMs: 2_000 },
    });
  });

  it("puts the lease in the watched namespace unless told otherwise", () => {
    expect(configFromEnv({ ORCHESTRATOR_NAMESPACE: "team-a" }, sources()).lease.namespace).toBe("team-a");
  });

  it.each([
    [{ ORCHESTRATOR_NAMESPACE: "Team_A" }, /^ORCHESTRATOR_NAMESPACE: "Team_A" is not a namespace name/],
    [{ ORCHESTRATOR_PHASE_DURATION: "2" }, /^ORCHESTRATOR_PHASE_DURATION: "2" is not a duration like "250ms"/],
    [{ ORCHESTRATOR_BACKOFF_BASE: "5m", ORCHESTRATOR_BACKOFF_MAX: "1m" }, /^ORCHESTRATOR_BACKOFF_MAX: must be at least ORCHESTRATOR_BACKOFF_BASE/],
    [{ ORCHESTRATOR_VERIFYING_DURATION: "soon" }, /^ORCHESTRATOR_VERIFYING_DURATION: "soon" is not a duration/],
    [{ ORCHESTRATOR_FAILURE_THRESHOLD: "0" }, /^ORCHESTRATOR_FAILURE_THRESHOLD: "0" is not a whole number of at least 1/],
    [{ ORCHESTRATOR_FAILURE_THRESHOLD: "2.5" }, /^ORCHESTRATOR_FAILURE_THRESHOLD: "2.5"/],
    [{ ORCHESTRATOR_BLOCK_COOLDOWN: "0" }, /^ORCHESTRATOR_BLOCK_COOLDOWN: "0" must be longer than 0/],
    [{ ORCHESTRATOR_LEASE_DURATION: "1500ms" }, /^ORCHESTRATOR_LEASE_DURATION: "1500ms" must be a whole number of seconds/],
    [{ ORCHESTRATOR_LEASE_NAME: "My Lease" }, /^ORCHESTRATOR_LEASE_NAME: "My Lease" is not a valid object name/],
    [{ ORCHESTRATOR_CONFIG_FILE: "/missing.yaml" }, /^ORCHESTRATOR_CONFIG_FILE: cannot read \/missing.yaml \(ENOENT/],
    [{ ORCHESTRATOR_METRICS_PORT: "http" }, /^ORCHESTRATOR_METRICS_PORT: "http" is not a port number/],
    [{ ORCHESTRATOR_METRICS_PORT: "70000" }, /^ORCHESTRATOR_METRICS_PORT: "70000" is not a port number/],
  ])("rejects %o naming the variable", (env, message) => {
    expect(problemsOf(env)).toEqual([expect.stringMatching(message)]);
  });

  it("serves metrics only when ORCHESTRATOR_METRICS_PORT is set", () => {
    expect(configFromEnv({}, sources()).metricsPort).toBeUndefined();
    expect(configFromEnv({ ORCHESTRATOR_METRICS_PORT: "9464" }, sources()).metricsPort).toBe(9464);
  });

  it("reports every problem at once", () => {
    expect(problemsOf({ ORCHESTRATOR_PHASE_DURATION: "x", ORCHESTRATOR_FAILURE_THRESHOLD: "y", ORCHESTRATOR_LEASE_DURATION: "z" })).toHaveLength(3);
  });

  it("says what to fix in the error message", () => {
    expect(() => configFromEnv({ ORCHESTRATOR_FAILURE_THRESHOLD: "none" }, sources())).toThrow(
      'invalid mock orchestrator configuration:\n  - ORCHESTRATOR_FAILURE_THRESHOLD: "none" is not a whole number of at least 1',
    );
  });

  describe("the scripted-outcome file", () => {
    const yaml = `
rules:
  - name: slow-analysis
    match:
      signalName: HighMemory
      labels:
        matchLabels: { env: prod }
    durations: { Analyzing: manual, Executing: 300ms }
    outcome: { result: fail, phase: Executing, reason: "workflow step 2 failed" }
  - match: { signalName: DiskFull }
    outcome: { result: timeout, phase: Verifying }
`;

    it("reads rules from YAML", () => {
      const config = configFromEnv({ ORCHESTRATOR_CONFIG_FILE: "/etc/ro.yaml" }, sources({ "/etc/ro.yaml": yaml }));
      expect(config.configFile).toBe("/etc/ro.yaml");
      expect(config.rules).toEqual([
        {
          name: "slow-analysis",
          match: { signalName: "HighMemory", labels: { matchLabels: { env: "prod" } } },
          durations: { Analyzing: "manual", Executing: 300 },
          outcome: { result: "fail", phase: "Executing", failurePhase: "WorkflowExecution", reason: "workflow step 2 failed" },
        },
        { name: "rules[1]", match: { signalName: "DiskFull" }, durations: {}, outcome: { result: "timeout", phase: "Verifying" } },
      ]);
    });

    it("reads rules from JSON", () => {
      const json = JSON.stringify({ rules: [{ name: "all-fail", outcome: { result: "fail", phase: "Analyzing" } }] });
      expect(configFromEnv({ ORCHESTRATOR_CONFIG_FILE: "/ro.json" }, sources({ "/ro.json": json })).rules).toEqual([
        { name: "all-fail", match: {}, durations: {}, outcome: { result: "fail", phase: "Analyzing", failurePhase: "AIAnalysis", reason: "scripted failure" } },
      ]);
    });

    it.each([
      ["rules: [", /^\/f: not valid YAML or JSON/],
      ["", /^\/f: the file is empty/],
      ["- a\n- b", /^\/f: the file must hold an object with a "rules" list/],
      ["rule: []", /^\/f: rule: unknown field \(expected one of rules\)/],
      ["rules: {}", /^\/f: rules: must be a list/],
      ["rules: [{ outcom: {} }]", /^\/f: rules\[0\]\.outcom: unknown field/],
      ["rules: [{ durations: { Analysing: 1s } }]", /^\/f: rules\[0\]\.durations\.Analysing: unknown field \(expected one of Pending, Processing, Analyzing, Executing, Verifying\)/],
      ["rules: [{ durations: { Analyzing: 5 } }]", /^\/f: rules\[0\]\.durations\.Analyzing: 5 is not a duration like "250ms", "2s", "1m30s" or "manual"/],
      ["rules: [{ outcome: { result: explode } }]", /^\/f: rules\[0\]\.outcome\.result: "explode" is not one of complete, succeed, fail, timeout/],
      ["rules: [{ outcome: { result: fail } }]", /^\/f: rules\[0\]\.outcome\.phase: result fail needs the phase it happens at/],
      ["rules: [{ outcome: { result: fail, phase: Blocked } }]", /^\/f: rules\[0\]\.outcome\.phase: "Blocked" is not one of Pending/],
      ["rules: [{ outcome: { result: succeed, phase: Analyzing } }]", /^\/f: rules\[0\]\.outcome\.phase: result succeed takes outcome, not phase/],
      ["rules: [{ outcome: { result: complete, outcome: Fixed } }]", /^\/f: rules\[0\]\.outcome\.outcome: "Fixed" is not one of kubernaut's outcomes \(Remediated after Verifying, /],
      ["rules: [{ outcome: { result: fail, phase: Verifying } }]", /^\/f: rules\[0\]\.outcome\.phase: kubernaut never fails at Verifying/],
      ["rules: [{ outcome: { result: fail, failurePhase: Blocked } }]", /^\/f: rules\[0\]\.outcome\.failurePhase: Blocked is not scriptable/],
      ["rules: [{ outcome: { result: fail, failurePhase: Network } }]", /^\/f: rules\[0\]\.outcome\.failurePhase: "Network" is not one of Configuration, SignalProcessing/],
      ["rules: [{ outcome: { result: timeout, phase: Executing, reason: x } }]", /^\/f: rules\[0\]\.outcome\.reason: result timeout takes phase, not reason/],
      ["rules: [{ match: { signalName: 5 } }]", /^\/f: rules\[0\]\.match\.signalName: must be a non-empty string, not 5/],
      ["rules: [{ match: { labels: { matchLabels: { a: 1 } } } }]", /^\/f: rules\[0\]\.match\.labels\.matchLabels: must map label names to string values/],
      ["rules: [{ match: { labels: { matchExpressions: [{ key: a, operator: In }] } } }]", /^\/f: rules\[0\]\.match\.labels\.matchExpressions\[0\]\.values: operator In needs a non-empty list of values/],
      ["rules: [{ match: { labels: { matchExpressions: [{ key: a, operator: Has }] } } }]", /^\/f: rules\[0\]\.match\.labels\.matchExpressions\[0\]\.operator: "Has" is not one of In, NotIn, Exists, DoesNotExist/],
      ["rules: [{ name: a }, { name: a }]", /^\/f: rules\[1\]\.name: "a" is used by an earlier rule/],
    ])("rejects %p naming the field", (content, message) => {
      expect(problemsOf({ ORCHESTRATOR_CONFIG_FILE: "/f" }, { "/f": content })).toEqual([expect.stringMatching(message)]);
    });
  });
});
