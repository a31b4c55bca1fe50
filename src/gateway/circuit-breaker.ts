/**
 * Fails fast while the API server is unreachable: after a failure the circuit
 * opens for openMs, and requests are refused at once (503) instead of piling
 * up on hanging connections. The first request after that goes through as a
 * probe; its success closes the circuit.
 */
export class CircuitBreaker {
  private openUntil = 0;

  constructor(private readonly openMs: number) {}

  /** True when a request may go to the API server now. */
  allows(now = Date.now()): boolean {
    return now >= this.openUntil;
  }

  recordFailure(now = Date.now()): void {
    this.openUntil = now + this.openMs;
  }

  recordSuccess(): void {
    this.openUntil = 0;
  }

  get isOpen(): boolean {
    return !this.allows();
  }
}
