import { SignalValidationError } from "./validation-error";

export type Json = Record<string, unknown>;

/** Ends a value that was cut to fit a limit. */
export const TRUNCATION_MARK = "…[truncated]";

export function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads a map of strings (labels, annotations) into a fresh object, checking
 * count and value lengths. Values over maxValueLength are rejected, or
 * truncated (with a marker) when truncate is set.
 */
export function readStringMap(
  value: unknown,
  field: string,
  limits: { maxEntries: number; maxValueLength: number; truncate?: boolean },
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new SignalValidationError(field, "must be an object of string values");
  const entries = Object.entries(value);
  if (entries.length > limits.maxEntries) {
    throw new SignalValidationError(field, `has ${entries.length} entries, more than the limit of ${limits.maxEntries}`);
  }
  const out: Record<string, string> = {};
  for (const [key, raw] of entries) {
    if (typeof raw !== "string") throw new SignalValidationError(`${field}.${key}`, `must be a string, got ${typeOf(raw)}`);
    if (key.length === 0 || key.length > 316) throw new SignalValidationError(field, `has a key of ${key.length} characters (1 to 316 allowed)`);
    let text = raw;
    if (text.length > limits.maxValueLength) {
      if (!limits.truncate) {
        throw new SignalValidationError(`${field}.${key}`, `is ${text.length} characters long, more than the limit of ${limits.maxValueLength}`);
      }
      text = text.slice(0, limits.maxValueLength - TRUNCATION_MARK.length) + TRUNCATION_MARK;
    }
    // defineProperty: a key such as "__proto__" stays a plain data property.
    Object.defineProperty(out, key, { value: text, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

export function optionalString(value: unknown, field: string, maxLength: number): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") throw new SignalValidationError(field, `must be a string, got ${typeOf(value)}`);
  if (value.length > maxLength) throw new SignalValidationError(field, `is longer than ${maxLength} characters`);
  return value;
}

export function requiredString(value: unknown, field: string, maxLength: number): string {
  const text = optionalString(value, field, maxLength);
  if (text === undefined) throw new SignalValidationError(field, "is required");
  return text;
}

/** An RFC 3339 timestamp, normalized to UTC; Alertmanager's zero time counts as absent. */
export function optionalTimestamp(value: unknown, field: string): string | undefined {
  const text = optionalString(value, field, 64);
  if (text === undefined || text.startsWith("0001-01-01")) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new SignalValidationError(field, `is not an RFC 3339 timestamp: "${text}"`);
  return new Date(ms).toISOString();
}

export function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
