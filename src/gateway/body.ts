import type { IncomingMessage } from "node:http";
import type { BodyAllowance } from "./byte-budget";
import { GatewayError } from "./errors";

/**
 * Reads a JSON request body within the size limit and nesting depth. A body
 * without Content-Type is read as JSON (as kubernaut's gateway does: some
 * senders leave it out); one that declares another type is refused.
 */
export async function readJsonBody(req: IncomingMessage, maxBytes: number, maxDepth: number, allowance?: BodyAllowance): Promise<unknown> {
  refuseOtherTypes(req);
  const text = await readText(req, maxBytes, allowance);
  if (!text.trim()) throw new GatewayError("GW_INVALID_PAYLOAD", "the request body is empty: expected a JSON document");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new GatewayError("GW_INVALID_PAYLOAD", `the body is not valid JSON: ${(err as Error).message}`);
  }
  const depth = jsonDepth(value, maxDepth);
  if (depth > maxDepth) throw new GatewayError("GW_INVALID_PAYLOAD", `the JSON is nested more than ${maxDepth} levels deep`);
  return value;
}

function refuseOtherTypes(req: IncomingMessage): void {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  if (type !== "" && type !== "application/json" && !type.endsWith("+json")) {
    drain(req);
    throw new GatewayError("GW_UNSUPPORTED_MEDIA_TYPE", `Content-Type must be application/json, got ${JSON.stringify(type)}`);
  }
}

/** The body as text, within maxBytes, its bytes taken from the allowance (if any) as they arrive. */
async function readText(req: IncomingMessage, maxBytes: number, allowance?: BodyAllowance): Promise<string> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > maxBytes) {
    drain(req);
    throw tooLarge(maxBytes);
  }
  // What the sender declares is taken at once (a large group is refused before it is read), the rest as it arrives.
  if (allowance && !allowance.take(declared)) throw overBudget(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      drain(req);
      throw tooLarge(maxBytes);
    }
    if (allowance && size > declared && !allowance.take(Math.min(chunk.length, size - declared))) throw overBudget(req);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Nesting depth of a parsed JSON value, counting no further than limit + 1. Iterative: no stack overflow on hostile input. */
export function jsonDepth(value: unknown, limit: number): number {
  let max = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    const d = depth + 1;
    if (d > max) max = d;
    if (max > limit) return max;
    for (const child of Object.values(node)) stack.push([child, d]);
  }
  return max;
}

/** Too many large payloads at once: 503, so the sender retries (the retry succeeds once they are done). */
function overBudget(req: IncomingMessage): GatewayError {
  drain(req);
  return new GatewayError("GW_OVERLOADED", "the gateway is holding as many payloads as GATEWAY_MAX_BUFFERED_BYTES allows; retry shortly");
}

function tooLarge(maxBytes: number): GatewayError {
  return new GatewayError("GW_PAYLOAD_TOO_LARGE", `the body is larger than the limit of ${maxBytes} bytes (GATEWAY_MAX_BODY_BYTES)`);
}

/** Discards the rest of a body we refuse, so the connection can answer. */
function drain(req: IncomingMessage): void {
  req.resume();
}
