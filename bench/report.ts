import { heapSummaryLine, type HeapSummary } from "./heap-summary";
import type { Measurement, Measurements, Ratio } from "./results";
import { ratio } from "./stats";

type Field = "p95Ms" | "throughputPerS";

/** m[a][field] / m[b][field], or undefined when either is missing. */
function over(m: Measurements, field: Field, a: string, b: string): number | undefined {
  const x = m[a]?.[field];
  const y = m[b]?.[field];
  return x === undefined || y === undefined ? undefined : ratio(x, y);
}

const AT_LEAST_08 = { text: ">= 0.8", ok: (v: number) => v >= 0.8 };
const AT_MOST_12 = { text: "<= 1.2", ok: (v: number) => v <= 1.2 };
const AT_LEAST_09 = { text: ">= 0.9", ok: (v: number) => v >= 0.9 };
const AT_MOST_10 = { text: "<= 10", ok: (v: number) => v <= 10 };
/** Issue 17: API writes per 100-signal burst over three replicas, and per signal in the sustained storm. */
const AT_MOST_6 = { text: "<= 6", ok: (v: number) => v <= 6 };
const AT_MOST_07 = { text: "<= 0.7", ok: (v: number) => v <= 0.7 };

/** The ratios the issue asks for, each against the baseline measured in the same run. */
export function ratios(m: Measurements): Ratio[] {
  const out: Ratio[] = [];
  const add = (id: string, what: string, value: number | undefined, goal?: { text: string; ok: (v: number) => boolean }): void => {
    if (value === undefined || Number.isNaN(value)) return;
    out.push({ id, what, value, ...(goal ? { goal: goal.text, met: goal.ok(value) } : {}) });
  };
  add("2b", "new-signal throughput / raw create throughput (concurrent)", over(m, "throughputPerS", "2b", "1d"), AT_LEAST_08);
  add("2a", "new-signal throughput / raw create + status apply throughput (sequential)", over(m, "throughputPerS", "2a", "1e"), AT_LEAST_09);
  add("2b", "new-signal throughput / raw create + status apply throughput (concurrent)", over(m, "throughputPerS", "2b", "1f"), AT_LEAST_09);
  add("2a", "new-signal P95 / raw create P95 (sequential)", over(m, "p95Ms", "2a", "1c"));
  add("2a", "new-signal P95 / raw create + status apply P95 (sequential)", over(m, "p95Ms", "2a", "1e"));
  const listCreateApply = m["1e"] && m["1g"] ? m["1e"].p95Ms + m["1g"].p95Ms : undefined;
  add("2a", "new-signal P95 / (raw create + status apply P95 + raw LIST P95) (sequential)", listCreateApply && m["2a"] ? ratio(m["2a"].p95Ms, listCreateApply) : undefined);
  add("3", "duplicate P95 / raw status apply P95 (sequential)", over(m, "p95Ms", "3", "1a"), AT_MOST_12);
  for (const id of ["4a", "4b", "5a", "5b"].filter(id => m[id])) {
    add(id, `burst P95 / raw status apply P95 (${m[id].label})`, over(m, "p95Ms", id, "1a"));
    add(id, `API writes per burst of 100, mean (${m[id].label})`, m[id].writes?.perBurst?.mean, id.startsWith("5") ? AT_MOST_6 : AT_MOST_10);
  }
  add("6", "storm throughput / raw concurrent status apply throughput", over(m, "throughputPerS", "6", "1b"));
  add("6", "storm API writes per signal", m["6"]?.writes?.perSignal, AT_MOST_07);
  const mem = (m["7"]?.extra ?? {}) as { cacheSyncMs?: number; rawListMs?: number };
  add("7", "cache sync at start / one raw LIST of the same RRs", mem.cacheSyncMs !== undefined && mem.rawListMs ? ratio(mem.cacheSyncMs, mem.rawListMs) : undefined);
  add("8a", "parse + fingerprint signals/s (1 core) / raw concurrent status applies/s", over(m, "throughputPerS", "8a", "1b"));
  addLargeGroupRatios(m, add);
  addPodMemory(m, add);
  addStoredRatios(m, add);
  addEventSourceRatios(m, add);
  return out;
}

/**
 * Scenario 11: P95 with n RRs stored / P95 with the smallest number, for new
 * problems (11a) and duplicates (11b), which have the goal, and for the raw
 * requests they make at the same sizes (11c, 11d), which show how much of the
 * growth is the API server's own.
 */
function addStoredRatios(m: Measurements, add: (id: string, what: string, value: number | undefined, goal?: { text: string; ok: (v: number) => boolean }) => void): void {
  const kinds = [
    { kind: "11a", name: "new-signal", goal: AT_MOST_12 },
    { kind: "11b", name: "duplicate", goal: AT_MOST_12 },
    { kind: "11c", name: "raw create + first status apply" },
    { kind: "11d", name: "raw status apply" },
  ];
  for (const { kind, name, goal } of kinds) {
    const ids = Object.keys(m)
      .filter(id => id.startsWith(`${kind}-`))
      .sort((a, b) => Number(a.split("-")[1]) - Number(b.split("-")[1]));
    for (const id of ids.slice(1)) {
      add(id, `${name} P95 with ${id.split("-")[1]} RRs stored / with ${ids[0].split("-")[1]}`, over(m, "p95Ms", id, ids[0]), goal);
    }
  }
}

/** Scenario 12: RR writes of the built-in event source, per event and per problem per second. */
function addEventSourceRatios(m: Measurements, add: (id: string, what: string, value: number | undefined, goal?: { text: string; ok: (v: number) => boolean }) => void): void {
  const run = m["12"];
  if (!run) return;
  add("12", `event source API writes per event (${run.label})`, run.writes?.perSignal);
  const perProblemSecond = (run.extra as { writesPerProblemSecond?: number } | undefined)?.writesPerProblemSecond;
  add("12", "event source RR writes per problem per second (pacing: 1 signal per problem per second)", perProblemSecond, { text: "<= 1", ok: v => v <= 1 });
}

/** Scenario 9: the large group against the 1-alert payload, in time and peak memory. */
function addLargeGroupRatios(m: Measurements, add: (id: string, what: string, value: number | undefined) => void): void {
  const one = m["9a"]?.extra as { peakRssMB?: number } | undefined;
  const many = m["9b"]?.extra as { alerts?: number; peakRssMB?: number } | undefined;
  if (!one || !many) return;
  add("9b", `time to answer a ${many.alerts}-alert group / a 1-alert payload`, over(m, "p95Ms", "9b", "9a"));
  if (one.peakRssMB && many.peakRssMB) add("9b", "peak RSS with the large group / with the 1-alert payload", ratio(many.peakRssMB, one.peakRssMB));
}

/** Scenario 10: issue 17's goal for the admission pod, in MB (not a ratio: the pod's memory limit is absolute). */
function addPodMemory(m: Measurements, add: (id: string, what: string, value: number | undefined, goal?: { text: string; ok: (v: number) => boolean }) => void): void {
  const pod = m["10c"]?.extra as { rssMB?: number } | undefined;
  add("10c", "admission pod RSS (MB) after the storm with the RRs cached", pod?.rssMB, { text: "<= 120", ok: v => v <= 120 });
}

/** What the "vs baseline" column compares each measurement with: [field, baseline ids]. */
const VERSUS: Record<string, [Field, string[]]> = {
  "2a": ["p95Ms", ["1c", "1e"]],
  "2b": ["throughputPerS", ["1d", "1f"]],
  "3": ["p95Ms", ["1a"]],
  "4a": ["p95Ms", ["1a"]],
  "4b": ["p95Ms", ["1a"]],
  "5a": ["p95Ms", ["1a"]],
  "5b": ["p95Ms", ["1a"]],
  "6": ["throughputPerS", ["1b"]],
  "8a": ["throughputPerS", ["1b"]],
  "8b": ["throughputPerS", ["1b"]],
};

function versus(id: string, m: Measurements): string {
  if (/^1[a-z]$/.test(id)) return "baseline";
  if (id === "7") {
    const e = m[id].extra as { cacheSyncMs: number; rawListMs: number };
    return `sync ${ratio(e.cacheSyncMs, e.rawListMs).toFixed(2)}× raw LIST`;
  }
  const spec = VERSUS[id];
  if (!spec) return "";
  const [field, bases] = spec;
  const parts = bases.flatMap(b => {
    const r = over(m, field, id, b);
    return r === undefined ? [] : [`${r.toFixed(2)}× ${b}`];
  });
  return `${field === "p95Ms" ? "P95" : "tput"} ${parts.join(", ")}`;
}

function writesText(w: Measurement["writes"]): string {
  if (!w) return "";
  const check = w.gateway ? (w.gateway.total === w.apiserver.total ? " (=gw)" : ` (gw ${w.gateway.total})`) : "";
  if (w.perBurst) return `${w.perBurst.mean}/burst, max ${w.perBurst.max}${check}`;
  return `${w.perSignal}/op${check}`;
}

function notes(m: Measurement): string {
  const e = (m.extra ?? {}) as Record<string, unknown>;
  const parts: string[] = [];
  if (m.errors > 0) parts.push(`${m.errors} errors${m.firstError ? `: ${m.firstError.slice(0, 80)}` : ""}`);
  if (m.truncated) parts.push("stopped by the time limit");
  if (e.exactlyOnce === false) parts.push("COUNTS WRONG");
  if (e.spacesMB !== undefined) {
    parts.push(`RSS ${e.rssMB} MB (${e.rssAfterGcMB} after GC), heap ${e.heapUsedMB} MB live of ${e.heapTotalMB}, external ${e.externalMB} MB, ${e.cachedRRs} RRs cached`);
    if (e.rssAnonMB !== undefined) parts.push(`RSS anonymous ${e.rssAnonMB} MB (malloc [heap] ${e.brkHeapMB}, unnamed ${e.unnamedAnonMB}, V8 resident ${e.v8PhysicalMB}), file-backed ${e.rssFileMB}`);
    const released = e.afterLastResortGc as { rssMB: number; rssAnonMB: number; v8PhysicalMB: number } | undefined;
    if (released) parts.push(`after a last-resort GC (V8 gives back its pooled pages) RSS ${released.rssMB} MB, anonymous ${released.rssAnonMB}, V8 resident ${released.v8PhysicalMB}`);
    const heap = e.heapSnapshot as { summary: HeapSummary } | undefined;
    if (heap) parts.push(heapSummaryLine(heap.summary));
  } else if (e.rssMB !== undefined) {
    const vsEmpty = Number.isFinite(e.rssDeltaMB) ? ` (${signed(e.rssDeltaMB)} vs empty)` : "";
    const heapVsEmpty = Number.isFinite(e.heapDeltaMB) ? ` (${signed(e.heapDeltaMB)}), ${e.heapBytesPerRR} B/RR` : "";
    parts.push(`RSS ${e.rssMB} MB${vsEmpty}, heap ${e.heapUsedMB} MB${heapVsEmpty}, ${e.rrs} RRs; sync ${e.cacheSyncMs} ms, LIST ${e.rawListMs} ms`);
  }
  return parts.join("; ");
}

const signed = (x: unknown): string => (typeof x === "number" && x >= 0 ? `+${x}` : String(x));

interface Row {
  cells: string[];
}

const HEAD = ["id", "scenario", "n", "conc", "P50 ms", "P95 ms", "P99 ms", "ops/s", "vs baseline", "API writes", "notes"];

function rows(m: Measurements): Row[] {
  return Object.keys(m)
    .sort(byId)
    .map(id => {
      const x = m[id];
      const micro = id.startsWith("8");
      const ms = (v: number): string => (!Number.isFinite(v) ? "" : micro ? v.toFixed(4) : v < 10 ? v.toFixed(2) : v.toFixed(1));
      return {
        cells: [id, x.label, String(x.count), String(x.concurrency), ms(x.p50Ms), ms(x.p95Ms), ms(x.p99Ms), Number.isFinite(x.throughputPerS) ? String(Math.round(x.throughputPerS)) : "", versus(id, m), writesText(x.writes), notes(x)],
      };
    });
}

function byId(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

export function consoleTable(m: Measurements, r: Ratio[]): string {
  const all = [HEAD, ...rows(m).map(x => x.cells)];
  const widths = HEAD.map((_, i) => Math.max(...all.map(c => c[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 && i <= 7 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
  const table = [line(HEAD), widths.map(w => "-".repeat(w)).join("  "), ...all.slice(1).map(line)].join("\n");
  return `${table}\n\n${ratioLines(r).join("\n")}\n`;
}

function ratioLines(r: Ratio[]): string[] {
  return r.map(x => `${x.goal ? (x.met ? "[met]    " : "[missed] ") : "         "}${x.id.padEnd(3)} ${x.what}: ${x.value}${x.goal ? ` (goal ${x.goal})` : ""}`);
}

export function markdown(m: Measurements, r: Ratio[]): string {
  const esc = (s: string): string => s.replace(/\|/g, "\\|");
  const table = [`| ${HEAD.join(" | ")} |`, `|${HEAD.map((_, i) => (i >= 2 && i <= 7 ? "---:" : "---")).join("|")}|`, ...rows(m).map(x => `| ${x.cells.map(esc).join(" | ")} |`)];
  const goals = ["| ratio | value | goal |", "|---|---:|---|", ...r.map(x => `| ${x.id}: ${esc(x.what)} | ${x.value} | ${x.goal ? `${x.goal} ${x.met ? "(met)" : "(missed)"}` : ""} |`)];
  return [...table, "", ...goals].join("\n");
}
