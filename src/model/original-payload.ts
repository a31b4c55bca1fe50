/**
 * spec.originalPayload holds the signal as received, as JSON text (what
 * kubernaut's gateway stores). RRs written by rr-gateway before it adopted
 * kubernaut's schema hold standard base64 of that JSON instead: both read the
 * same here. A JSON text always starts with one of `{["-0123456789tfn` or
 * whitespace, and a base64 text of a JSON object or array starts with "ey" or
 * "W": the two forms cannot be confused.
 */
export function readOriginalPayload(text: string | undefined): unknown {
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new OriginalPayloadError(`is neither JSON text nor base64: ${text.slice(0, 32)}…`);
    try {
      return JSON.parse(Buffer.from(text, "base64").toString("utf8"));
    } catch {
      throw new OriginalPayloadError("is base64 of something that is not JSON");
    }
  }
}

export class OriginalPayloadError extends Error {
  constructor(problem: string) {
    super(`spec.originalPayload ${problem}`);
    this.name = "OriginalPayloadError";
  }
}
