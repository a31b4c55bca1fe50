import type { WriteDelta } from "./metrics";
import type { RunStats } from "./stats";

/** One measured run of a scenario. */
export interface Measurement extends RunStats {
  /** What was measured, for the table. */
  label: string;
  /** Operations in flight. */
  concurrency: number;
  /** Stopped by the time limit before its count. */
  truncated?: boolean;
  firstError?: string;
  /** API writes counted by the API server (apiserver_request_total) and by the gateway (rr_gateway_api_writes_total). */
  writes?: { apiserver: WriteDelta; gateway?: WriteDelta; perSignal: number; perBurst?: { mean: number; max: number } };
  /** Anything else worth keeping (correctness checks, sizes). */
  extra?: Record<string, unknown>;
}

/** Every figure of a run, keyed by measurement id ("1a", "2b", ...). */
export type Measurements = Record<string, Measurement>;

export interface Ratio {
  id: string;
  what: string;
  value: number;
  /** e.g. ">= 0.8"; absent when there is no goal. */
  goal?: string;
  met?: boolean;
}
