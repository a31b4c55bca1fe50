/** Text made safe to store and to show: cut to a limit, well-formed UTF-16, short previews for messages. */

/** Ends a value that was cut to fit a limit. */
export const TRUNCATION_MARK = "…[truncated]";

/** text, or if longer than max, its start ending in TRUNCATION_MARK, max units in all. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : clip(text, max - TRUNCATION_MARK.length) + TRUNCATION_MARK;
}

/** At most max UTF-16 units of text, never cutting a surrogate pair in two. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = max > 0 && isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return text.slice(0, end);
}

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;

/** Replaces lone UTF-16 surrogates (which no JSON decoder in Go keeps) with U+FFFD. */
export function wellFormed(text: string): string {
  return text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

/** A short, printable rendering of a value for an error message (never the whole of a huge input). */
export function preview(value: unknown, max = 64): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(clip(value, max + 1)) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > max ? `${clip(text, max)}…` : text;
}

export function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
