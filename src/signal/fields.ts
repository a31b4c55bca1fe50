import { preview, truncate, typeOf, wellFormed } from "./text";
import { SignalValidationError } from "./validation-error";

export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Longest label or annotation key accepted: a qualified name (253-character prefix, "/", 63-character name). */
export const MAX_KEY_LENGTH = 317;

/**
 * Reads a map of strings (labels, annotations) into a fresh object, checking
 * count, key and value lengths. Values over maxValueLength are rejected, or
 * truncated (with a marker) when truncate is set. Lone UTF-16 surrogates are
 * replaced, so what is stored is what the API server will keep.
 */
export function readStringMap(
  value: unknown,
  field: string,
  limits: { maxEntries: number; maxValueLength: number; truncate?: boolean },
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new SignalValidationError(field, `must be an object of string values, got ${typeOf(value)}`);
  const entries = Object.entries(value);
  if (entries.length > limits.maxEntries) {
    throw new SignalValidationError(field, `has ${entries.length} entries, more than the limit of ${limits.maxEntries}`);
  }
  const out: Record<string, string> = {};
  for (const [rawKey, raw] of entries) {
    if (rawKey.length === 0 || rawKey.length > MAX_KEY_LENGTH) {
      throw new SignalValidationError(field, `has a key of ${rawKey.length} characters (1 to ${MAX_KEY_LENGTH} allowed): ${preview(rawKey)}`);
    }
    const key = wellFormed(rawKey);
    if (typeof raw !== "string") throw new SignalValidationError(`${field}.${key}`, `must be a string, got ${typeOf(raw)}`);
    let text = wellFormed(raw);
    if (text.length > limits.maxValueLength) {
      if (!limits.truncate) {
        throw new SignalValidationError(`${field}.${key}`, `is ${text.length} characters long, more than the limit of ${limits.maxValueLength}`);
      }
      text = truncate(text, limits.maxValueLength);
    }
    // defineProperty: a key such as "__proto__" stays a plain data property.
    Object.defineProperty(out, key, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function optionalString(value: unknown, field: string, maxLength: number): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new SignalValidationError(field, `must be a string, got ${typeOf(value)}`);
  if (value.length > maxLength) throw new SignalValidationError(field, `is ${value.length} characters long, more than the limit of ${maxLength}`);
  return wellFormed(value);
}

export function requiredString(value: unknown, field: string, maxLength: number): string {
  const text = optionalString(value, field, maxLength);
  if (text === undefined) throw new SignalValidationError(field, "is required");
  return text;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 timestamp, normalized to UTC; Alertmanager's zero time counts as absent. */
export function optionalTimestamp(value: unknown, field: string): string | undefined {
  const text = optionalString(value, field, 64);
  if (text === undefined || text.startsWith("0001-01-01")) return undefined;
  const ms = RFC3339.test(text) ? Date.parse(text) : NaN;
  const iso = Number.isNaN(ms) ? "" : new Date(ms).toISOString();
  // Years outside 0000-9999 (after moving to UTC) are not RFC 3339: the API server would refuse them.
  if (!/^\d{4}-/.test(iso)) throw new SignalValidationError(field, `is not an RFC 3339 timestamp: ${preview(text)}`);
  return iso;
}
