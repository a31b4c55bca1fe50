import { isActive } from "../../src/dedup/decision";
import { remediationRequestName } from "../../src/dedup/naming";
import { ANNOTATIONS, type RemediationRequest } from "../../src/model/remediation-request";

/** What one signal got back from the gateway. */
export interface SignalReply {
  /** HTTP status; 0 when no response came (connection refused or reset). */
  status: number;
  /** The RR named in a 2xx response, and the count it reported. */
  rrName?: string;
  count?: number;
  /** Sent to a replica that was killed during the burst: it may have no response, and may have been counted without a 2xx. */
  interrupted?: boolean;
}

export interface TrialReport {
  signals: number;
  /** 2xx responses. */
  acknowledged: number;
  /** Sum of occurrenceCount over the problem's RRs. */
  counted: number;
  rrs: number;
  activeRRs: number;
  /** RRs off the problem's single chain (a second first RR, or a second successor of one RR). */
  duplicateRRs: number;
  /** Acknowledged signals not backed by an occurrence on the RR they name. */
  lostAcknowledged: number;
  violations: string[];
}

const isAck = (r: SignalReply): boolean => r.status >= 200 && r.status < 300;

/**
 * Checks one problem's exactly-once invariants, from the gateway's replies and
 * the problem's RRs as the API server holds them:
 * - every 2xx names an RR that exists, with a count in 1..occurrenceCount of
 *   that RR, and no two 2xx share an (RR, count): each acknowledged signal
 *   owns one occurrence of the RR it names, so none is lost or double-counted;
 * - the counts add up: sum of occurrenceCount == number of 2xx (above it only
 *   by signals interrupted by a replica's death, which may have been written
 *   before the crash but never acknowledged);
 * - 201 goes with count 1 and only with it;
 * - at most one RR is active, and the RRs form one chain: the first is named
 *   after the fingerprint, each successor after its terminal predecessor.
 */
export function checkTrial(fingerprint: string, replies: readonly SignalReply[], rrs: readonly RemediationRequest[]): TrialReport {
  const violations: string[] = [];
  const acknowledged = replies.filter(isAck);
  const counted = rrs.reduce((sum, rr) => sum + occurrences(rr), 0);
  const lost = checkAcknowledged(acknowledged, rrs, violations);

  const interruptedWithoutAck = replies.filter(r => r.interrupted && !isAck(r)).length;
  if (counted < acknowledged.length) violations.push(`${acknowledged.length} signals acknowledged but only ${counted} counted`);
  if (counted > acknowledged.length + interruptedWithoutAck) {
    violations.push(`${counted} counted but only ${acknowledged.length} acknowledged (${interruptedWithoutAck} interrupted by a crash)`);
  }
  for (const r of replies) {
    if (isAck(r) || r.status === 503 || (r.status === 0 && r.interrupted)) continue;
    violations.push(`unexpected reply status ${r.status}${r.interrupted ? " (interrupted)" : ""}`);
  }

  const active = rrs.filter(isActive);
  if (active.length > 1) violations.push(`${active.length} active RRs: ${active.map(rr => rr.metadata.name).join(", ")}`);
  const chain = walkChain(fingerprint, rrs, violations);

  return {
    signals: replies.length,
    acknowledged: acknowledged.length,
    counted,
    rrs: rrs.length,
    activeRRs: active.length,
    duplicateRRs: rrs.length - chain.length,
    lostAcknowledged: lost,
    violations,
  };
}

const occurrences = (rr: RemediationRequest): number => rr.status?.deduplication?.occurrenceCount ?? 0;

/** Each 2xx must own one occurrence (RR, count) of an existing RR, no two the same one. Returns how many do not. */
function checkAcknowledged(acknowledged: readonly SignalReply[], rrs: readonly RemediationRequest[], violations: string[]): number {
  const byName = new Map(rrs.map(rr => [rr.metadata.name!, rr]));
  const slots = new Set<string>();
  let lost = 0;
  for (const reply of acknowledged) {
    const rr = reply.rrName === undefined ? undefined : byName.get(reply.rrName);
    const slot = `${reply.rrName}#${reply.count}`;
    const problem = !rr
      ? `a ${reply.status} names RR ${reply.rrName}, which does not exist`
      : !Number.isInteger(reply.count) || reply.count! < 1 || reply.count! > occurrences(rr)
        ? `a ${reply.status} reports count ${reply.count} on ${reply.rrName}, whose occurrenceCount is ${occurrences(rr)}`
        : slots.has(slot)
          ? `two 2xx responses report count ${reply.count} on ${reply.rrName}`
          : undefined;
    if (problem) {
      violations.push(problem);
      lost++;
    }
    slots.add(slot);
    if ((reply.status === 201) !== (reply.count === 1)) violations.push(`status ${reply.status} with count ${reply.count}`);
  }
  return lost;
}

/** Follows the problem's chain from its first RR; reports anything that is not one straight chain of deterministic names. */
function walkChain(fingerprint: string, rrs: readonly RemediationRequest[], violations: string[]): RemediationRequest[] {
  const predecessorOf = (rr: RemediationRequest): string | undefined => rr.metadata.annotations?.[ANNOTATIONS.predecessor];
  const roots = rrs.filter(rr => !predecessorOf(rr));
  if (rrs.length > 0 && roots.length !== 1) violations.push(`${roots.length} RRs without a predecessor: ${roots.map(rr => rr.metadata.name).join(", ")}`);
  const chain: RemediationRequest[] = [];
  let current = roots.find(rr => rr.metadata.name === remediationRequestName(fingerprint)) ?? roots[0];
  if (current && current.metadata.name !== remediationRequestName(fingerprint)) violations.push(`the first RR is ${current.metadata.name}, not ${remediationRequestName(fingerprint)}`);
  while (current) {
    chain.push(current);
    const name = current.metadata.name;
    const successors = rrs.filter(rr => predecessorOf(rr) === name);
    if (successors.length > 1) violations.push(`${name} has ${successors.length} successors: ${successors.map(rr => rr.metadata.name).join(", ")}`);
    const next = successors.find(rr => rr.metadata.name === remediationRequestName(fingerprint, current!.metadata.uid)) ?? successors[0];
    if (!next) break;
    if (isActive(current)) violations.push(`${name} has a successor (${next.metadata.name}) but is still active`);
    if (next.metadata.name !== remediationRequestName(fingerprint, current.metadata.uid)) violations.push(`${next.metadata.name} is not the name derived from its predecessor ${name}`);
    if (chain.includes(next)) break;
    current = next;
  }
  return chain;
}

/** Totals over many trials, as the randomized test prints them. */
export class TrialTotals {
  trials = 0;
  signals = 0;
  acknowledged = 0;
  rrs = 0;
  duplicateRRs = 0;
  lostAcknowledged = 0;
  violations = 0;

  add(report: TrialReport): void {
    this.trials++;
    this.signals += report.signals;
    this.acknowledged += report.acknowledged;
    this.rrs += report.rrs;
    this.duplicateRRs += report.duplicateRRs;
    this.lostAcknowledged += report.lostAcknowledged;
    this.violations += report.violations.length;
  }
}
