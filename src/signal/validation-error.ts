import type { AnswerCode } from "../model/error-codes";

type ValidationCode = Extract<AnswerCode, "GW_INVALID_PAYLOAD" | "GW_PAYLOAD_TOO_LARGE">;

/**
 * A signal the gateway cannot accept, with the field at fault. The gateway
 * answers with `code` (src/model/error-codes.ts: 400) and the message;
 * nothing is written.
 */
export class SignalValidationError extends Error {
  readonly code: ValidationCode = "GW_INVALID_PAYLOAD";
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = new.target.name;
  }
}

/**
 * A payload over a whole-request limit (more alerts than GATEWAY_MAX_ALERTS):
 * the gateway answers 413, as for a body over GATEWAY_MAX_BODY_BYTES. Sending
 * it again cannot succeed, so it is not a 5xx; the receiver's group_by keeps
 * groups under the limit (docs/operations.md).
 */
export class PayloadLimitError extends SignalValidationError {
  override readonly code: ValidationCode = "GW_PAYLOAD_TOO_LARGE";
}
