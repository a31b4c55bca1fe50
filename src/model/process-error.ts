import { PROCESS_CODES, type ProcessCode } from "./error-codes";

/**
 * A failure that stops a process or one of its writes (invalid
 * configuration, a field owned by someone else), with its code from the
 * table in src/model/error-codes.ts. Each subclass says what it carries.
 */
export class ProcessError extends Error {
  constructor(
    readonly code: ProcessCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /** Whether the same attempt can succeed later without anyone changing something (the table says). */
  get retryable(): boolean {
    return PROCESS_CODES[this.code].retryable;
  }
}

/** Every problem found in a configuration, so one start shows them all; titled from the table. */
export class ConfigurationError extends ProcessError {
  constructor(
    code: "GW_INVALID_CONFIG" | "RO_INVALID_CONFIG",
    readonly problems: string[],
  ) {
    super(code, `${PROCESS_CODES[code].title}:\n  - ${problems.join("\n  - ")}`);
  }
}
