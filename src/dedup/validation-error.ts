/**
 * A signal the gateway cannot accept, with the field at fault. The gateway
 * answers 400 with the message; nothing is written.
 */
export class SignalValidationError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = "SignalValidationError";
  }
}
