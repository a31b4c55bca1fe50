/**
 * At most one signal per problem per interval, without dropping anything:
 * what arrives for a problem while it waits (or while its signal is being
 * recorded) is folded into its next signal. Marks are cumulative counts per
 * Event object, so folding keeps the highest count of each Event and the
 * count recorded stays exact however many updates were folded.
 */

export type SendResult = "done" | "retry";

export interface PacerOptions<T> {
  /** Least time between two sends of one problem. */
  intervalMs: number;
  /** Records one problem's folded updates; "retry" puts them back, to be sent again after retryDelayMs. */
  send: (key: string, latest: T, marks: Map<string, number>) => Promise<SendResult>;
  /** Pause before the n-th retry in a row (default: 1 s doubling to 30 s). */
  retryDelayMs?: (failures: number) => number;
  now?: () => number;
}

interface Problem<T> {
  latest: T;
  /** Event uid → highest cumulative count not yet sent. */
  pending: Map<string, number>;
  lastSentAt: number;
  timer?: NodeJS.Timeout;
  sending: boolean;
  failures: number;
}

export class ProblemPacer<T> {
  private problems = new Map<string, Problem<T>>();
  /** Bumped by clear(): sends that were under way then are forgotten when they finish. */
  private generation = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly options: PacerOptions<T>) {
    this.now = options.now ?? Date.now;
  }

  /** Problems with something waiting or being sent. */
  get size(): number {
    return this.problems.size;
  }

  /**
   * One update of a problem: Event `uid` has occurred `count` times so far.
   * Returns true when it was folded into a signal already waiting (coalesced).
   */
  offer(key: string, latest: T, uid: string, count: number): boolean {
    let problem = this.problems.get(key);
    if (!problem) {
      problem = { latest, pending: new Map(), lastSentAt: -Infinity, sending: false, failures: 0 };
      this.problems.set(key, problem);
    }
    const coalesced = problem.pending.size > 0 || problem.sending;
    problem.latest = latest;
    problem.pending.set(uid, Math.max(count, problem.pending.get(uid) ?? 0));
    if (!problem.sending && !problem.timer) this.schedule(key, problem, Math.max(0, problem.lastSentAt + this.options.intervalMs - this.now()));
    return coalesced;
  }

  /** Forgets everything waiting (leadership lost: the next leader relists and sends the same cumulative counts). */
  clear(): void {
    this.generation++;
    for (const problem of this.problems.values()) clearTimeout(problem.timer);
    this.problems = new Map();
  }

  /** Waits for the sends under way. */
  async settled(): Promise<void> {
    await Promise.all([...this.inFlight]);
  }

  private schedule(key: string, problem: Problem<T>, delayMs: number): void {
    clearTimeout(problem.timer);
    problem.timer = setTimeout(() => this.due(key, problem), delayMs);
  }

  /** The problem's time has come: send what waits, or forget an idle problem once its interval is over. */
  private due(key: string, problem: Problem<T>): void {
    problem.timer = undefined;
    if (this.problems.get(key) !== problem) return;
    if (problem.pending.size === 0) {
      this.problems.delete(key);
      return;
    }
    const sending = this.sendNow(key, problem);
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  private async sendNow(key: string, problem: Problem<T>): Promise<void> {
    const generation = this.generation;
    const marks = problem.pending;
    problem.pending = new Map();
    problem.sending = true;
    problem.lastSentAt = this.now();
    let result: SendResult;
    try {
      result = await this.options.send(key, problem.latest, marks);
    } catch {
      result = "retry";
    }
    problem.sending = false;
    if (generation !== this.generation) return;
    if (result === "retry") {
      for (const [uid, count] of marks) problem.pending.set(uid, Math.max(count, problem.pending.get(uid) ?? 0));
      problem.failures++;
      this.schedule(key, problem, (this.options.retryDelayMs ?? defaultRetryDelay)(problem.failures));
      return;
    }
    problem.failures = 0;
    // Sent: the next send (or forgetting the problem) comes after the interval.
    this.schedule(key, problem, this.options.intervalMs);
  }
}

function defaultRetryDelay(failures: number): number {
  return Math.min(1_000 * 2 ** (failures - 1), 30_000);
}
