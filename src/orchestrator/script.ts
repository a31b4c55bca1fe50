import type { RemediationRequestSpec } from "../model/remediation-request";
import { formatDuration, parseDuration } from "./duration";
import { COMPLETES_AT, COMPLETION_OUTCOMES, CompletionOutcome, describeOutcome, FAILS_AT, FAILURE_PHASE_OF, FAILURE_PHASES, Outcome, SUCCEED } from "./outcomes";
import { isWorkPhase, WORK_PHASES, WorkPhase } from "./work-phases";

/**
 * Scripted outcomes: rules, read from a YAML or JSON file, that say how long
 * each phase of a matching RR lasts and how its remediation ends. The first
 * matching rule wins; an RR no rule matches gets the defaults (every phase
 * ORCHESTRATOR_PHASE_DURATION, success). See docs/orchestrator.md.
 */

/** Milliseconds, or "manual": the phase lasts until ADVANCE_ANNOTATION lists it. */
export type PhaseDuration = number | "manual";
export type PhaseDurations = Record<WorkPhase, PhaseDuration>;

export type { Outcome } from "./outcomes";
export { SUCCEED } from "./outcomes";

/** A Kubernetes label selector, matched against spec.signalLabels. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

export interface ScriptRule {
  name: string;
  /** Both conditions must hold; a rule without any matches every RR. */
  match: { signalName?: string; labels?: LabelSelector };
  durations: Partial<PhaseDurations>;
  outcome: Outcome;
}

/** What the orchestrator will do with one RR: derived from its spec and the configuration, never stored. */
export interface Plan {
  /** The matching rule, for messages and logs. */
  rule?: string;
  durations: PhaseDurations;
  outcome: Outcome;
}

/** The plan for an RR: the first matching rule over the default durations. */
export function planFor(spec: Pick<RemediationRequestSpec, "signalName" | "signalLabels">, rules: readonly ScriptRule[], defaults: PhaseDurations): Plan {
  const rule = rules.find(r => ruleMatches(r, spec));
  if (!rule) return { durations: defaults, outcome: SUCCEED };
  return { rule: rule.name, durations: { ...defaults, ...rule.durations }, outcome: rule.outcome };
}

export function ruleMatches(rule: ScriptRule, spec: Pick<RemediationRequestSpec, "signalName" | "signalLabels">): boolean {
  if (rule.match.signalName !== undefined && rule.match.signalName !== spec.signalName) return false;
  return rule.match.labels === undefined || selectorMatches(rule.match.labels, spec.signalLabels ?? {});
}

export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every(e => {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    switch (e.operator) {
      case "In":
        return has && (e.values ?? []).includes(labels[e.key]);
      case "NotIn":
        return !has || !(e.values ?? []).includes(labels[e.key]);
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
    }
  });
}

/** Describes a plan for RR messages: "rule slow-analysis: fails at Analyzing (AIAnalysis)". */
export function describePlan(plan: Plan): string {
  return `${plan.rule ? `rule ${plan.rule}` : "default plan"}: ${describeOutcome(plan.outcome)}`;
}

export function describeDuration(d: PhaseDuration): string {
  return d === "manual" ? "manual" : formatDuration(d);
}

// ---------------------------------------------------------------------------
// Validation of the scripted-outcome file. Every problem is collected (not
// just the first), each naming the file and the field path.

type Problems = string[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function quote(v: unknown): string {
  return v instanceof Date ? v.toISOString() : JSON.stringify(v);
}

function checkKeys(obj: Record<string, unknown>, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.push(`${path}${path ? "." : ""}${key}: unknown field (expected one of ${allowed.join(", ")})`);
  }
}

const PHASE_LIST = WORK_PHASES.join(", ");

/**
 * Validates the parsed content of a scripted-outcome file (YAML or JSON
 * parsed to plain data). Returns the rules and the problems found; the caller
 * reports the problems prefixed with the file name.
 */
export function parseScript(data: unknown): { rules: ScriptRule[]; problems: Problems } {
  const problems: Problems = [];
  if (!isObject(data)) return { rules: [], problems: [`the file must hold an object with a "rules" list, not ${quote(data)}`] };
  checkKeys(data, ["rules"], "", problems);
  if (data.rules === undefined) return { rules: [], problems };
  if (!Array.isArray(data.rules)) return { rules: [], problems: [...problems, `rules: must be a list, not ${quote(data.rules)}`] };
  const rules = data.rules.map((raw, i) => parseRule(raw, `rules[${i}]`, problems));
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    if (seen.has(r.name)) problems.push(`rules[${i}].name: ${quote(r.name)} is used by an earlier rule; names must be unique`);
    seen.add(r.name);
  });
  return { rules, problems };
}

function parseRule(raw: unknown, path: string, problems: Problems): ScriptRule {
  const rule: ScriptRule = { name: path, match: {}, durations: {}, outcome: SUCCEED };
  if (!isObject(raw)) {
    problems.push(`${path}: must be an object with match, durations and outcome, not ${quote(raw)}`);
    return rule;
  }
  checkKeys(raw, ["name", "match", "durations", "outcome"], path, problems);
  if (raw.name !== undefined) {
    if (typeof raw.name === "string" && raw.name.trim() !== "") rule.name = raw.name;
    else problems.push(`${path}.name: must be a non-empty string, not ${quote(raw.name)}`);
  }
  if (raw.match !== undefined) rule.match = parseMatch(raw.match, `${path}.match`, problems);
  if (raw.durations !== undefined) rule.durations = parseDurations(raw.durations, `${path}.durations`, problems);
  if (raw.outcome !== undefined) rule.outcome = parseOutcome(raw.outcome, `${path}.outcome`, problems);
  return rule;
}

function parseMatch(raw: unknown, path: string, problems: Problems): ScriptRule["match"] {
  if (!isObject(raw)) {
    problems.push(`${path}: must be an object with signalName and/or labels, not ${quote(raw)}`);
    return {};
  }
  checkKeys(raw, ["signalName", "labels"], path, problems);
  const match: ScriptRule["match"] = {};
  if (raw.signalName !== undefined) {
    if (typeof raw.signalName === "string" && raw.signalName !== "") match.signalName = raw.signalName;
    else problems.push(`${path}.signalName: must be a non-empty string, not ${quote(raw.signalName)}`);
  }
  if (raw.labels !== undefined) match.labels = parseSelector(raw.labels, `${path}.labels`, problems);
  return match;
}

function isStringMap(v: unknown): v is Record<string, string> {
  return isObject(v) && Object.values(v).every(x => typeof x === "string");
}

function parseSelector(raw: unknown, path: string, problems: Problems): LabelSelector {
  if (!isObject(raw)) {
    problems.push(`${path}: must be a label selector (matchLabels and/or matchExpressions), not ${quote(raw)}`);
    return {};
  }
  checkKeys(raw, ["matchLabels", "matchExpressions"], path, problems);
  const selector: LabelSelector = {};
  if (raw.matchLabels !== undefined) {
    if (isStringMap(raw.matchLabels)) selector.matchLabels = raw.matchLabels;
    else problems.push(`${path}.matchLabels: must map label names to string values, not ${quote(raw.matchLabels)}`);
  }
  if (raw.matchExpressions !== undefined) {
    if (!Array.isArray(raw.matchExpressions)) problems.push(`${path}.matchExpressions: must be a list, not ${quote(raw.matchExpressions)}`);
    else selector.matchExpressions = raw.matchExpressions.map((e, i) => parseExpression(e, `${path}.matchExpressions[${i}]`, problems));
  }
  return selector;
}

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist"] as const;

function parseExpression(raw: unknown, path: string, problems: Problems): NonNullable<LabelSelector["matchExpressions"]>[number] {
  const expr: NonNullable<LabelSelector["matchExpressions"]>[number] = { key: "", operator: "Exists" };
  if (!isObject(raw)) {
    problems.push(`${path}: must be an object with key, operator and values, not ${quote(raw)}`);
    return expr;
  }
  checkKeys(raw, ["key", "operator", "values"], path, problems);
  if (typeof raw.key === "string" && raw.key !== "") expr.key = raw.key;
  else problems.push(`${path}.key: must be a non-empty string, not ${quote(raw.key)}`);
  if ((OPERATORS as readonly unknown[]).includes(raw.operator)) expr.operator = raw.operator as (typeof OPERATORS)[number];
  else problems.push(`${path}.operator: ${quote(raw.operator)} is not one of ${OPERATORS.join(", ")}`);
  const values = parseValues(raw.values, expr.operator, `${path}.values`, problems);
  if (values) expr.values = values;
  return expr;
}

function parseValues(raw: unknown, operator: string, path: string, problems: Problems): string[] | undefined {
  const needsValues = operator === "In" || operator === "NotIn";
  if (raw !== undefined && !(Array.isArray(raw) && raw.every(v => typeof v === "string"))) {
    problems.push(`${path}: must be a list of strings, not ${quote(raw)}`);
  } else if (needsValues && (!Array.isArray(raw) || raw.length === 0)) {
    problems.push(`${path}: operator ${operator} needs a non-empty list of values`);
  } else if (!needsValues && Array.isArray(raw) && raw.length > 0) {
    problems.push(`${path}: operator ${operator} takes no values`);
  } else if (Array.isArray(raw)) {
    return raw as string[];
  }
  return undefined;
}

function parseDurations(raw: unknown, path: string, problems: Problems): Partial<PhaseDurations> {
  if (!isObject(raw)) {
    problems.push(`${path}: must map phases (${PHASE_LIST}) to durations like "2s" or "manual", not ${quote(raw)}`);
    return {};
  }
  checkKeys(raw, WORK_PHASES, path, problems);
  const durations: Partial<PhaseDurations> = {};
  for (const phase of WORK_PHASES) {
    const value = raw[phase];
    if (value === undefined) continue;
    const parsed = value === "manual" ? "manual" : typeof value === "string" ? parseDuration(value) : undefined;
    if (parsed === undefined) problems.push(`${path}.${phase}: ${quote(value)} is not a duration like "250ms", "2s", "1m30s" or "manual"`);
    else durations[phase] = parsed;
  }
  return durations;
}

const OUTCOME_EXAMPLE = `{result: fail, phase: Analyzing, reason: "..."} or {result: complete, outcome: NoActionRequired}`;
const SCRIPTABLE_FAILURE_PHASES = FAILURE_PHASES.filter(p => p !== "Blocked");

/**
 * outcome.result:
 *   complete (alias succeed): Completed with `outcome` (default Remediated) at the phase kubernaut completes it;
 *   fail: Failed at `phase` and/or with `failurePhase` (each derives the other), with `reason`;
 *   timeout: TimedOut at `phase`.
 */
function parseOutcome(raw: unknown, path: string, problems: Problems): Outcome {
  if (!isObject(raw)) {
    problems.push(`${path}: must be an object like ${OUTCOME_EXAMPLE}, not ${quote(raw)}`);
    return SUCCEED;
  }
  checkKeys(raw, ["result", "phase", "reason", "outcome", "failurePhase"], path, problems);
  const only = (result: string, allowed: string[]): void => {
    for (const key of ["phase", "reason", "outcome", "failurePhase"]) {
      if (raw[key] !== undefined && !allowed.includes(key)) problems.push(`${path}.${key}: result ${result} takes ${allowed.length ? allowed.join(" and ") : "no other field"}, not ${key}`);
    }
  };
  switch (raw.result) {
    case "succeed":
    case "complete":
      only(raw.result, ["outcome"]);
      return completeOutcome(raw.outcome, `${path}.outcome`, problems);
    case "fail":
      only("fail", ["phase", "failurePhase", "reason"]);
      return failOutcome(raw, path, problems);
    case "timeout": {
      only("timeout", ["phase"]);
      const phase = workPhase(raw.phase, `${path}.phase`, "result timeout", problems);
      return phase ? { result: "timeout", phase } : SUCCEED;
    }
    default:
      problems.push(`${path}.result: ${quote(raw.result)} is not one of complete, succeed, fail, timeout`);
      return SUCCEED;
  }
}

function workPhase(raw: unknown, path: string, what: string, problems: Problems): WorkPhase | undefined {
  if (typeof raw === "string" && isWorkPhase(raw)) return raw;
  problems.push(raw === undefined ? `${path}: ${what} needs the phase it happens at (one of ${PHASE_LIST})` : `${path}: ${quote(raw)} is not one of ${PHASE_LIST}`);
  return undefined;
}

function completeOutcome(raw: unknown, path: string, problems: Problems): Outcome {
  if (raw === undefined) return SUCCEED;
  if ((COMPLETION_OUTCOMES as readonly unknown[]).includes(raw)) return { result: "complete", outcome: raw as CompletionOutcome };
  problems.push(`${path}: ${quote(raw)} is not one of kubernaut's outcomes (${COMPLETION_OUTCOMES.map(o => `${o} after ${COMPLETES_AT[o]}`).join(", ")})`);
  return SUCCEED;
}

function failOutcome(raw: Record<string, unknown>, path: string, problems: Problems): Outcome {
  if (raw.reason !== undefined && (typeof raw.reason !== "string" || raw.reason === "")) problems.push(`${path}.reason: must be a non-empty string, not ${quote(raw.reason)}`);
  const reason = typeof raw.reason === "string" && raw.reason !== "" ? raw.reason : "scripted failure";

  let failurePhase: (typeof SCRIPTABLE_FAILURE_PHASES)[number] | undefined;
  if (raw.failurePhase !== undefined) {
    if ((SCRIPTABLE_FAILURE_PHASES as readonly unknown[]).includes(raw.failurePhase)) failurePhase = raw.failurePhase as typeof failurePhase;
    else if (raw.failurePhase === "Blocked") problems.push(`${path}.failurePhase: Blocked is not scriptable: consecutive-failure blocking produces it (script ORCHESTRATOR_FAILURE_THRESHOLD failures instead)`);
    else problems.push(`${path}.failurePhase: ${quote(raw.failurePhase)} is not one of ${SCRIPTABLE_FAILURE_PHASES.join(", ")}`);
    if (!failurePhase) return SUCCEED;
  }
  if (raw.phase === undefined && failurePhase) return { result: "fail", phase: FAILS_AT[failurePhase], failurePhase, reason };

  const phase = workPhase(raw.phase, `${path}.phase`, "result fail", problems);
  if (!phase) return SUCCEED;
  const derived = failurePhase ?? FAILURE_PHASE_OF[phase];
  if (!derived) {
    problems.push(`${path}.phase: kubernaut never fails at ${phase} (it ends Completed there): script {result: complete, outcome: Inconclusive} or VerificationTimedOut, or give a failurePhase`);
    return SUCCEED;
  }
  return { result: "fail", phase, failurePhase: derived, reason };
}
