/**
 * The gateway settings the Helm chart sets from structured values (instead of
 * a raw entry in `admission.env`): one table, from which hack/fold-manifests.ts
 * derives the values' defaults, their values.schema.json entries and the
 * template that turns them into the container's environment
 * (deploy/chart/templates/_rr-gateway-env.tpl). docs/deploy.md lists them.
 *
 * A value's default is what package.json's pepr.env sets (so the chart with
 * no values renders exactly the plain manifest), else the gateway's own
 * default. The template writes a setting into the environment where
 * `admission.env` already has that name (in place, keeping Pepr's order), or
 * else only when it differs from the gateway's default: an untouched value
 * adds nothing.
 */
import { AUTH_PRESETS, AUTH_SCOPES, GATEWAY_ENV } from "../src/gateway/config";
import { SCOPE_MODES } from "../src/signal/scope";

type Json = Record<string, unknown>;

export interface ChartSetting {
  /** The environment variable the gateway reads. */
  env: string;
  /** Where it lives in the chart's values, dot-separated. */
  path: string;
  type: "string" | "list" | "boolean" | "integer";
  /** The gateway's own default, as the environment spells it; a value rendering to it is left out. */
  gatewayDefault: string;
  enum?: readonly string[];
  /** What it does, for values.schema.json (docs/deploy.md says more). */
  description: string;
}

const gatewayDefault = (env: keyof typeof GATEWAY_ENV): string => GATEWAY_ENV[env][0];

/** The event source's settings (issue 14's source). "" / [] / empty: the event source's own default. */
const EVENT_SOURCE_LIST = (env: string, path: string, description: string): ChartSetting => ({ env, path, type: "list", gatewayDefault: "", description });

export const CHART_SETTINGS: readonly ChartSetting[] = [
  { env: "GATEWAY_AUTH", path: "gateway.auth.mode", type: "string", gatewayDefault: gatewayDefault("GATEWAY_AUTH"), enum: ["kubernetes", "static", "none"], description: "how senders authenticate: kubernetes (TokenReview + SubjectAccessReview), static (tokens file only), none" },
  { env: "GATEWAY_AUTH_AUDIENCES", path: "gateway.auth.audiences", type: "list", gatewayDefault: gatewayDefault("GATEWAY_AUTH_AUDIENCES"), description: "audiences a sender's token must be issued for; empty: the API server's" },
  { env: "GATEWAY_AUTH_SCOPE", path: "gateway.auth.scope", type: "string", gatewayDefault: gatewayDefault("GATEWAY_AUTH_SCOPE"), enum: AUTH_SCOPES, description: "where a sender's permission is checked: gateway (once) or namespace (per signal target's namespace)" },
  { env: "GATEWAY_AUTH_PRESET", path: "gateway.auth.preset", type: "string", gatewayDefault: gatewayDefault("GATEWAY_AUTH_PRESET"), enum: Object.keys(AUTH_PRESETS), description: "sender permission preset (SubjectAccessReview attributes)" },
  { env: "GATEWAY_AUTH_VERB", path: "gateway.auth.attributes.verb", type: "string", gatewayDefault: "", description: "SubjectAccessReview verb; empty: the preset's" },
  { env: "GATEWAY_AUTH_GROUP", path: "gateway.auth.attributes.group", type: "string", gatewayDefault: "", description: 'SubjectAccessReview API group; empty: the preset\'s; "core" for the core group' },
  { env: "GATEWAY_AUTH_RESOURCE", path: "gateway.auth.attributes.resource", type: "string", gatewayDefault: "", description: "SubjectAccessReview resource; empty: the preset's" },
  { env: "GATEWAY_AUTH_RESOURCE_NAME", path: "gateway.auth.attributes.resourceName", type: "string", gatewayDefault: "", description: 'SubjectAccessReview resource name; empty: the preset\'s; "-" for none' },
  { env: "GATEWAY_AUTH_NAMESPACE", path: "gateway.auth.attributes.namespace", type: "string", gatewayDefault: "", description: "SubjectAccessReview namespace; empty: the RemediationRequests' namespace" },
  { env: "GATEWAY_SCOPE", path: "gateway.scope", type: "string", gatewayDefault: gatewayDefault("GATEWAY_SCOPE"), enum: SCOPE_MODES, description: "which signals pass: managed-label (target or namespace labelled kubernaut.ai/managed=true) or all" },
  { env: "EVENT_SOURCE_ENABLED", path: "eventSource.enabled", type: "boolean", gatewayDefault: "true", description: "watch Warning events and turn them into signals" },
  EVENT_SOURCE_LIST("EVENT_SOURCE_REASONS", "eventSource.reasons", "event reasons that become signals; empty: the event source's default list"),
  EVENT_SOURCE_LIST("EVENT_SOURCE_EXCLUDE_REASONS", "eventSource.excludeReasons", "event reasons never turned into signals"),
  EVENT_SOURCE_LIST("EVENT_SOURCE_NAMESPACES", "eventSource.namespaces", "namespaces whose events are read; empty: all"),
  EVENT_SOURCE_LIST("EVENT_SOURCE_KINDS", "eventSource.kinds", "involved-object kinds whose events are read; empty: the event source's default"),
  { env: "EVENT_SOURCE_MAX_SIGNALS_PER_SECOND", path: "eventSource.maxSignalsPerSecond", type: "integer", gatewayDefault: "", description: 'cap on signals per second per problem; "": the event source\'s default' },
];

/** The static-tokens file the chart mounts from gateway.auth.staticTokens.secretName (docs/deploy.md). */
export const STATIC_TOKENS_FILE = "/etc/rr-gateway/static-tokens/tokens";

/** A value as the chart's values hold it, from the environment's spelling. */
function valueOf(setting: ChartSetting, raw: string): unknown {
  switch (setting.type) {
    case "list":
      return raw.split(",").map(s => s.trim()).filter(Boolean);
    case "boolean":
      return raw === "true";
    case "integer":
      return /^\d+$/.test(raw) ? Number(raw) : "";
    default:
      return raw;
  }
}

function setPath(target: Json, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  let at = target;
  for (const k of keys.slice(0, -1)) at = (at[k] ??= {}) as Json;
  at[keys.at(-1)!] = value;
}

/** The settings' default values: package.json's pepr.env where it sets one, else the gateway's default. */
export function settingsValues(peprEnv: Record<string, string>): Json {
  const values: Json = {};
  for (const s of CHART_SETTINGS) setPath(values, s.path, valueOf(s, peprEnv[s.env] ?? s.gatewayDefault));
  return values;
}

/** Go template: the value's spelling in the environment. */
function envExpression(s: ChartSetting): string {
  const v = `.Values.${s.path}`;
  return s.type === "list" ? `(join "," ${v})` : `(toString ${v})`;
}

/**
 * The template "rr-gateway.settings": a YAML map from each setting's
 * environment name to [its value's spelling, the gateway's default], read
 * by "rr-gateway.env" (deploy/chart/templates/_rr-gateway-env.tpl).
 */
export function settingsTemplate(): string {
  const lines = CHART_SETTINGS.map(s => `${s.env}: {{ list ${envExpression(s)} ${JSON.stringify(s.gatewayDefault)} | toJson }}`);
  lines.push(`GATEWAY_STATIC_TOKENS_FILE: {{ list (ternary ${JSON.stringify(STATIC_TOKENS_FILE)} "" (not (empty .Values.gateway.auth.staticTokens.secretName))) "" | toJson }}`);
  return [
    "{{/* Generated by hack/fold-manifests.ts from hack/chart-settings.ts: the environment each structured value sets, and the gateway's default. */}}",
    '{{- define "rr-gateway.settings" -}}',
    ...lines,
    "{{- end -}}",
    "",
  ].join("\n");
}

function schemaOf(s: ChartSetting): Json {
  const description = `${s.env}: ${s.description}`;
  switch (s.type) {
    case "list":
      return { type: "array", items: { type: "string", pattern: "^[^,]+$" }, description };
    case "boolean":
      return { type: "boolean", description };
    case "integer":
      return { type: ["integer", "string"], minimum: 0, pattern: "^$", description };
    default:
      return s.enum ? { type: "string", enum: [...s.enum], description } : { type: "string", description };
  }
}

/**
 * values.schema.json entries for the settings, nested as their paths are,
 * every level closed (additionalProperties: false) so a misspelt value is an
 * error rather than silently ignored.
 */
export function settingsSchema(): Json {
  const root: Json = { type: "object", additionalProperties: false, properties: {} };
  for (const s of CHART_SETTINGS) {
    const keys = s.path.split(".");
    let at = root;
    for (const k of keys.slice(0, -1)) {
      const props = at.properties as Json;
      at = (props[k] ??= { type: "object", additionalProperties: false, properties: {} }) as Json;
    }
    (at.properties as Json)[keys.at(-1)!] = schemaOf(s);
  }
  return root.properties as Json;
}
