import { loadYaml } from "@kubernetes/client-node";
import { parseDuration } from "./duration";
import { OrchestratorConfigError } from "./errors";
import { parseScript, PhaseDurations, ScriptRule } from "./script";
import { WORK_PHASES, WorkPhase } from "./work-phases";
import { isLogLevel, LOG_LEVELS } from "../log/logger";

/** Everything the orchestrator needs to know, validated at start. See docs/orchestrator.md. */
export interface OrchestratorConfig {
  /** Namespace whose RemediationRequests are driven (default: the gateway's default, kubernaut-system). */
  namespace: string;
  /** Names this instance in the Lease and in logs. */
  identity: string;
  /** Default duration of each phase (rules override per phase). */
  durations: PhaseDurations;
  /** Scripted outcomes, first match wins; empty without a file. */
  rules: ScriptRule[];
  /** The file the rules came from, for logs. */
  configFile?: string;
  /** This many consecutive Failed predecessors block a new RR. */
  failureThreshold: number;
  /** How long a blocked RR stays Blocked before it becomes Failed. */
  cooldownMs: number;
  /** kubernaut's exponential backoff after a failure below the threshold (routingStatus.nextAllowedExecution); base 0 turns it off. */
  backoff: { baseMs: number; maxMs: number };
  /** routingStatus.nextAllowedExecution after NoActionRequired / ManualReviewRequired (kubernaut: 24h); 0 turns it off. */
  noActionHoldMs: number;
  /** routingStatus.nextAllowedExecution after DryRun (kubernaut: 1h); 0 turns it off. */
  dryRunHoldMs: number;
  lease: { name: string; namespace: string; durationMs: number };
  /** Serve /metrics (plain HTTP, all interfaces) on this port; undefined: not (in the module, the gateway's /metrics includes the orchestrator's). */
  metricsPort?: number;
}

/** The environment variables read, with their defaults (also the reference in docs/orchestrator.md). */
export const ENV = {
  namespace: "ORCHESTRATOR_NAMESPACE",
  identity: "ORCHESTRATOR_IDENTITY",
  configFile: "ORCHESTRATOR_CONFIG_FILE",
  phaseDuration: "ORCHESTRATOR_PHASE_DURATION",
  failureThreshold: "ORCHESTRATOR_FAILURE_THRESHOLD",
  cooldown: "ORCHESTRATOR_BLOCK_COOLDOWN",
  backoffBase: "ORCHESTRATOR_BACKOFF_BASE",
  backoffMax: "ORCHESTRATOR_BACKOFF_MAX",
  noActionHold: "ORCHESTRATOR_NO_ACTION_HOLD",
  dryRunHold: "ORCHESTRATOR_DRY_RUN_HOLD",
  leaseName: "ORCHESTRATOR_LEASE_NAME",
  leaseNamespace: "ORCHESTRATOR_LEASE_NAMESPACE",
  leaseDuration: "ORCHESTRATOR_LEASE_DURATION",
  metricsPort: "ORCHESTRATOR_METRICS_PORT",
} as const;

/** The log level the orchestrator's logger uses (ORCHESTRATOR_LOG_LEVEL, else LOG_LEVEL), if it is not one. */
function logLevelProblems(env: Record<string, string | undefined>): string[] {
  const name = env.ORCHESTRATOR_LOG_LEVEL !== undefined ? "ORCHESTRATOR_LOG_LEVEL" : "LOG_LEVEL";
  const level = env[name];
  return level === undefined || isLogLevel(level) ? [] : [`${name}: ${JSON.stringify(level)} is not a log level (${LOG_LEVELS.join(", ")})`];
}

/** ORCHESTRATOR_PENDING_DURATION, ORCHESTRATOR_PROCESSING_DURATION, ... */
export function phaseDurationEnv(phase: WorkPhase): string {
  return `ORCHESTRATOR_${phase.toUpperCase()}_DURATION`;
}

export const DEFAULTS = {
  namespace: "kubernaut-system",
  phaseDuration: "2s",
  failureThreshold: 3,
  cooldown: "1h",
  // kubernaut's RO defaults (internal/config/remediationorchestrator/config.go).
  backoffBase: "1m",
  backoffMax: "10m",
  noActionHold: "24h",
  dryRunHold: "1h",
  leaseName: "rr-orchestrator",
  leaseDuration: "15s",
} as const;

export interface ConfigSources {
  /** Reads the scripted-outcome file; throws when it cannot. */
  readFile(path: string): string;
  /** The default identity: the pod's (host) name and pid, unique across restarts. */
  defaultIdentity(): string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * Reads and validates the configuration. Throws one OrchestratorConfigError
 * listing every problem, each naming the variable or file field to fix.
 */
export function configFromEnv(env: Record<string, string | undefined>, sources: ConfigSources): OrchestratorConfig {
  const problems: string[] = [];
  const text = (name: string, fallback: string): string => {
    const v = env[name];
    return v === undefined || v.trim() === "" ? fallback : v.trim();
  };

  const namespace = text(ENV.namespace, DEFAULTS.namespace);
  if (!DNS_LABEL.test(namespace) || namespace.length > 63) problems.push(`${ENV.namespace}: ${JSON.stringify(namespace)} is not a namespace name (lowercase DNS label)`);

  const identity = text(ENV.identity, "") || sources.defaultIdentity();
  if (identity.length > 128) problems.push(`${ENV.identity}: must be at most 128 characters`);
  problems.push(...logLevelProblems(env));

  const duration = (name: string, fallback: string, check: (ms: number) => string | undefined): number => {
    const value = text(name, fallback);
    const ms = parseDuration(value);
    if (ms === undefined) {
      problems.push(`${name}: ${JSON.stringify(value)} is not a duration like "250ms", "2s", "1m30s" or "1h"`);
      return 0;
    }
    const problem = check(ms);
    if (problem) problems.push(`${name}: ${JSON.stringify(value)} ${problem}`);
    return ms;
  };
  const anyDuration = (): undefined => undefined;

  const allPhases = duration(ENV.phaseDuration, DEFAULTS.phaseDuration, anyDuration);
  const durations = Object.fromEntries(WORK_PHASES.map(p => [p, duration(phaseDurationEnv(p), `${allPhases}ms`, anyDuration)])) as PhaseDurations;

  const thresholdText = text(ENV.failureThreshold, String(DEFAULTS.failureThreshold));
  const failureThreshold = Number(thresholdText);
  if (!/^\d+$/.test(thresholdText) || failureThreshold < 1) problems.push(`${ENV.failureThreshold}: ${JSON.stringify(thresholdText)} is not a whole number of at least 1`);

  const cooldownMs = duration(ENV.cooldown, DEFAULTS.cooldown, ms => (ms > 0 ? undefined : "must be longer than 0"));
  const { backoff, noActionHoldMs, dryRunHoldMs } = holdsAndBackoff(name => duration(name, DEFAULTS[HOLD_DEFAULT[name]], anyDuration), problems);

  const leaseName = text(ENV.leaseName, DEFAULTS.leaseName);
  if (!DNS_SUBDOMAIN.test(leaseName) || leaseName.length > 253) problems.push(`${ENV.leaseName}: ${JSON.stringify(leaseName)} is not a valid object name (lowercase DNS subdomain)`);
  const leaseNamespace = text(ENV.leaseNamespace, namespace);
  if (leaseNamespace !== namespace && (!DNS_LABEL.test(leaseNamespace) || leaseNamespace.length > 63)) problems.push(`${ENV.leaseNamespace}: ${JSON.stringify(leaseNamespace)} is not a namespace name (lowercase DNS label)`);
  // A Lease records its duration in whole seconds (spec.leaseDurationSeconds).
  const leaseDurationMs = duration(ENV.leaseDuration, DEFAULTS.leaseDuration, ms => (ms >= 1_000 && ms % 1_000 === 0 ? undefined : "must be a whole number of seconds, at least 1s"));

  const metricsPort = optionalPort(ENV.metricsPort, text(ENV.metricsPort, ""), problems);

  const configFile = text(ENV.configFile, "") || undefined;
  const rules = configFile ? readRules(configFile, sources, problems) : [];

  if (problems.length > 0) throw new OrchestratorConfigError(problems);
  return {
    namespace,
    identity,
    durations,
    rules,
    configFile,
    failureThreshold,
    cooldownMs,
    backoff,
    noActionHoldMs,
    dryRunHoldMs,
    lease: { name: leaseName, namespace: leaseNamespace, durationMs: leaseDurationMs },
    metricsPort,
  };
}

/** A port number from 0 (a free one) to 65535, or undefined when the variable is unset. */
function optionalPort(name: string, value: string, problems: string[]): number | undefined {
  if (value === "") return undefined;
  const port = Number(value);
  if (/^\d+$/.test(value) && port <= 65535) return port;
  problems.push(`${name}: ${JSON.stringify(value)} is not a port number (0 to 65535; 0 picks a free one)`);
  return undefined;
}

const HOLD_DEFAULT = {
  [ENV.backoffBase]: "backoffBase",
  [ENV.backoffMax]: "backoffMax",
  [ENV.noActionHold]: "noActionHold",
  [ENV.dryRunHold]: "dryRunHold",
} as const;

/** kubernaut's nextAllowedExecution settings (any duration; 0 turns each off). */
function holdsAndBackoff(
  duration: (name: keyof typeof HOLD_DEFAULT) => number,
  problems: string[],
): Pick<OrchestratorConfig, "backoff" | "noActionHoldMs" | "dryRunHoldMs"> {
  const backoff = { baseMs: duration(ENV.backoffBase), maxMs: duration(ENV.backoffMax) };
  if (backoff.maxMs < backoff.baseMs) problems.push(`${ENV.backoffMax}: must be at least ${ENV.backoffBase}`);
  return { backoff, noActionHoldMs: duration(ENV.noActionHold), dryRunHoldMs: duration(ENV.dryRunHold) };
}

function readRules(file: string, sources: ConfigSources, problems: string[]): ScriptRule[] {
  let content: string;
  try {
    content = sources.readFile(file);
  } catch (err) {
    problems.push(`${ENV.configFile}: cannot read ${file} (${err instanceof Error ? err.message : String(err)})`);
    return [];
  }
  if (content.trim() === "") {
    problems.push(`${file}: the file is empty; write {"rules": []} or unset ${ENV.configFile}`);
    return [];
  }
  let data: unknown;
  try {
    // YAML is a superset of JSON, so this reads both formats.
    data = loadYaml<unknown>(content);
  } catch (err) {
    problems.push(`${file}: not valid YAML or JSON (${err instanceof Error ? err.message.split("\n")[0] : String(err)})`);
    return [];
  }
  const parsed = parseScript(data);
  problems.push(...parsed.problems.map(p => `${file}: ${p}`));
  return parsed.rules;
}
