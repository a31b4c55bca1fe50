import { readFileSync } from "node:fs";
import path from "node:path";
import { loadYaml } from "@kubernetes/client-node";

/**
 * The subset of OpenAPI v3 that crds/remediationrequest.yaml uses, checked the
 * way the API server checks it (lengths in Unicode code points), so unit
 * tests can hold what the gateway would send to the CRD without a server.
 */
export interface Schema {
  type?: "object" | "string" | "integer" | "boolean" | "array" | "number";
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: Schema | boolean;
  maxProperties?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: unknown[];
  items?: Schema;
  maxItems?: number;
  minimum?: number;
}

interface Crd {
  spec: { versions: { name: string; schema: { openAPIV3Schema: Schema } }[] };
}

/** The RemediationRequest's openAPIV3Schema, read from the CRD in the repository. */
export function remediationRequestSchema(repoDir = process.env.RRGW_REPO_DIR ?? process.cwd()): Schema {
  const crd = loadYaml<Crd>(readFileSync(path.join(repoDir, "crds/remediationrequest.yaml"), "utf8"));
  return crd.spec.versions[0].schema.openAPIV3Schema;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Every violation of schema by value, each naming its path; empty when it fits. */
export function violations(value: unknown, schema: Schema, at = ""): string[] {
  const problems: string[] = [];
  const fail = (message: string): void => void problems.push(`${at || "<root>"}: ${message}`);
  if (schema.enum && !schema.enum.includes(value)) fail(`not one of ${JSON.stringify(schema.enum)}`);
  const check = schema.type ? CHECKS[schema.type] : undefined;
  check?.(value, schema, at, fail, problems);
  return problems;
}

/** The schema of an object's property: its own, or additionalProperties'. */
function schemaOf(schema: Schema, key: string): Schema | undefined {
  return schema.properties?.[key] ?? (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
}

type Check = (value: unknown, schema: Schema, at: string, fail: (message: string) => void, problems: string[]) => void;

const CHECKS: Record<NonNullable<Schema["type"]>, Check> = {
  object(value, schema, at, fail, problems) {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return fail("not an object");
    const entries = Object.entries(value);
    if (schema.maxProperties !== undefined && entries.length > schema.maxProperties) fail(`${entries.length} properties, more than ${schema.maxProperties}`);
    for (const key of schema.required ?? []) if (!(key in value)) fail(`missing required ${key}`);
    for (const [key, child] of entries) {
      const childSchema = schemaOf(schema, key);
      if (childSchema) problems.push(...violations(child, childSchema, `${at}.${key}`));
      else if (schema.properties && schema.additionalProperties === undefined) fail(`unknown field ${key} (the API server would prune it)`);
    }
  },
  string(value, schema, _at, fail) {
    if (typeof value !== "string") return fail(`not a string: ${typeof value}`);
    const runes = [...value].length;
    if (schema.maxLength !== undefined && runes > schema.maxLength) fail(`${runes} characters, more than ${schema.maxLength}`);
    if (schema.minLength !== undefined && runes < schema.minLength) fail(`${runes} characters, fewer than ${schema.minLength}`);
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) fail(`does not match ${schema.pattern}`);
    if (schema.format === "date-time" && !DATE_TIME.test(value)) fail(`not a date-time: ${JSON.stringify(value.slice(0, 40))}`);
    if (schema.format === "byte" && !BASE64.test(value)) fail("not base64");
  },
  integer(value, schema, _at, fail) {
    if (!Number.isInteger(value)) fail("not an integer");
    else if (schema.minimum !== undefined && (value as number) < schema.minimum) fail(`less than ${schema.minimum}`);
  },
  number(value, _schema, _at, fail) {
    if (typeof value !== "number") fail("not a number");
  },
  boolean(value, _schema, _at, fail) {
    if (typeof value !== "boolean") fail("not a boolean");
  },
  array(value, schema, at, fail, problems) {
    if (!Array.isArray(value)) return fail("not an array");
    if (schema.maxItems !== undefined && value.length > schema.maxItems) fail(`${value.length} items, more than ${schema.maxItems}`);
    if (schema.items) value.forEach((item, i) => problems.push(...violations(item, schema.items!, `${at}[${i}]`)));
  },
};

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** What the API server checks in an object's metadata: a DNS-subdomain name, label values and the size of annotations. */
export function metadataViolations(metadata: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> }): string[] {
  const problems: string[] = [];
  const name = metadata.name ?? "";
  if (name.length > 253 || !DNS_SUBDOMAIN.test(name)) problems.push(`metadata.name: not a DNS subdomain: ${JSON.stringify(name)}`);
  for (const [key, value] of Object.entries(metadata.labels ?? {})) {
    if (value.length > 63 || !LABEL_VALUE.test(value)) problems.push(`metadata.labels.${key}: not a label value: ${JSON.stringify(value)}`);
  }
  const annotationBytes = Object.entries(metadata.annotations ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (annotationBytes > 256 * 1024) problems.push(`metadata.annotations: ${annotationBytes} bytes, more than 256 KiB`);
  return problems;
}
