/**
 * Fails fast while the API server is unreachable. When a request to it fails
 * for lack of an answer, the circuit opens. While open, a request goes to the
 * API server only after a cheap probe (the API server's /readyz, with a short
 * timeout) says it is back. One probe runs at a time: the request that starts
 * it waits for it (at most the probe's timeout); the others take its answer
 * if it comes within joinWaitMs, and are refused (503) otherwise, instead of
 * piling up on hanging connections. No signal is ever sent as a probe, and
 * the first request after the API server's return goes through. Without
 * traffic, the breaker probes by itself every probeIntervalMs.
 */
export class CircuitBreaker {
  private open = false;
  private probing: Promise<boolean> | undefined;
  private timer: NodeJS.Timeout | undefined;

  /**
   * @param probeIntervalMs time between probes of an idle open circuit; 0 turns the breaker off
   * @param probe resolves when the API server answers and is ready; rejects otherwise
   * @param onChange told each time the circuit opens or closes
   * @param joinWaitMs how long a request waits for a probe someone else started
   */
  constructor(
    private readonly probeIntervalMs: number,
    private readonly probe: () => Promise<unknown>,
    private readonly onChange?: (open: boolean) => void,
    private readonly joinWaitMs = 250,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  /** Whether a request may go to the API server: at once while closed; while open, when the probe it starts finds it back. */
  async admit(): Promise<boolean> {
    if (!this.open) return true;
    if (this.probing) return within(this.probing, this.joinWaitMs);
    return this.probeNow();
  }

  /** The API server could not be reached, or gave no answer: open the circuit. */
  recordFailure(): void {
    if (this.open || this.probeIntervalMs <= 0) return;
    this.open = true;
    this.onChange?.(true);
    this.scheduleProbe();
  }

  /** The API server answered (whatever it said): close the circuit. */
  recordSuccess(): void {
    if (!this.open) return;
    this.open = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.onChange?.(false);
  }

  /** Stops probing (at shutdown). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** One probe at a time. */
  private probeNow(): Promise<boolean> {
    this.probing ??= this.probe()
      .then(
        () => {
          this.recordSuccess();
          return true;
        },
        () => false,
      )
      .finally(() => (this.probing = undefined));
    return this.probing;
  }

  private scheduleProbe(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      void this.probeNow().then(back => {
        if (!back && this.open) this.scheduleProbe();
      });
    }, this.probeIntervalMs);
    this.timer.unref();
  }
}

/** The probe's answer if it comes within ms, else false. */
function within(probe: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>(resolve => (timer = setTimeout(() => resolve(false), ms)));
  return Promise.race([probe, late]).finally(() => clearTimeout(timer));
}
