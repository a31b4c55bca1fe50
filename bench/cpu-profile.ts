/** Reads a V8 .cpuprofile (node --cpu-prof) and says where the time went. */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  name: string;
  ms: number;
  /** Percent of the busy (non-idle) time. */
  pct: number;
}

export interface ProfileSummary {
  /** The samples counted: those within this window (monotonic µs). */
  window: { fromUs: number; toUs: number };
  /** Busy CPU time per measured signal, when known. */
  cpuMsPerSignal?: number;
  totalMs: number;
  idleMs: number;
  busyMs: number;
  /** Self time by function. */
  selfByFunction: Share[];
  /** Self time by package (node_modules), Node.js subsystem, V8, or our src/ directory. */
  selfByModule: Share[];
  /** Time with the package or subsystem anywhere on the stack (inclusive; shares overlap). */
  onStackByModule: Share[];
  /** Time with the function anywhere on the stack (inclusive), our functions only. */
  onStackOurs: Share[];
}

const SPECIAL = new Set(["(idle)", "(program)", "(garbage collector)", "(root)"]);

export function summarizeProfile(profile: CpuProfile, repoDir: string, window = { fromUs: 0, toUs: Infinity }, top = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map(n => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const self = new Map<string, number>();
  const selfModule = new Map<string, number>();
  const onStackModule = new Map<string, number>();
  const onStackOurs = new Map<string, number>();
  let total = 0;
  let idle = 0;

  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i];
    if (at < window.fromUs || at > window.toUs) continue;
    // A sample lasts until the next one.
    const ms = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    total += ms;
    const leaf = byId.get(profile.samples[i])!;
    if (leaf.callFrame.functionName === "(idle)") {
      idle += ms;
      continue;
    }
    add(self, frameName(leaf.callFrame, repoDir), ms);
    add(selfModule, moduleOf(leaf.callFrame, repoDir), ms);
    const stack = stackOf(leaf.id, byId, parent, repoDir);
    for (const m of stack.modules) add(onStackModule, m, ms);
    for (const f of stack.ours) add(onStackOurs, f, ms);
  }
  const busy = total - idle;
  const shares = (m: Map<string, number>): Share[] =>
    [...m]
      .map(([name, ms]) => ({ name, ms: Math.round(ms), pct: Math.round((1000 * ms) / busy) / 10 }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, top);
  return {
    window,
    totalMs: Math.round(total),
    idleMs: Math.round(idle),
    busyMs: Math.round(busy),
    selfByFunction: shares(self),
    selfByModule: shares(selfModule),
    onStackByModule: shares(onStackModule),
    onStackOurs: shares(onStackOurs),
  };
}

function add(m: Map<string, number>, key: string, ms: number): void {
  m.set(key, (m.get(key) ?? 0) + ms);
}

/** The modules on a sample's stack, and our functions on it, each once. */
function stackOf(leaf: number, byId: Map<number, ProfileNode>, parent: Map<number, number>, repoDir: string): { modules: Set<string>; ours: Set<string> } {
  const modules = new Set<string>();
  const ours = new Set<string>();
  for (let id: number | undefined = leaf; id !== undefined; id = parent.get(id)) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === "(root)") break;
    const module = moduleOf(frame, repoDir);
    modules.add(module);
    if (module.startsWith("src/")) ours.add(frameName(frame, repoDir));
  }
  return { modules, ours };
}

function frameName(frame: CallFrame, repoDir: string): string {
  const name = frame.functionName || "(anonymous)";
  if (!frame.url || SPECIAL.has(name)) return name;
  const where = shortUrl(frame.url, repoDir);
  // tsx compiles src/ without keeping lines in the profile: the file says enough.
  return where.endsWith(".ts") ? `${name} ${where}` : `${name} ${where}:${frame.lineNumber + 1}`;
}

function shortUrl(url: string, repoDir: string): string {
  const path = url.replace(/^file:\/\//, "");
  const nm = path.lastIndexOf("/node_modules/");
  if (nm >= 0) return path.slice(nm + "/node_modules/".length);
  return path.startsWith(repoDir + "/") ? path.slice(repoDir.length + 1) : path;
}

/** "pino", "undici", "node:http", "src/gateway", "V8 (GC)", "V8 builtins" ... */
export function moduleOf(frame: CallFrame, repoDir: string): string {
  const name = frame.functionName;
  if (name === "(garbage collector)") return "V8 (GC)";
  if (name === "(program)") return "V8 (program)";
  if (!frame.url) return "V8 builtins";
  if (frame.url.startsWith("node:")) {
    const parts = frame.url.slice("node:".length).split("/");
    return `node:${parts[0] === "internal" ? (parts[1] ?? "internal") : parts[0]}`;
  }
  const path = shortUrl(frame.url, repoDir);
  if (path !== frame.url.replace(/^file:\/\//, "") || frame.url.includes("/node_modules/")) {
    const segs = path.split("/");
    if (frame.url.includes("/node_modules/")) return segs[0].startsWith("@") ? `${segs[0]}/${segs[1]}` : segs[0];
    return segs.length > 2 ? `${segs[0]}/${segs[1]}` : segs[0];
  }
  return "other";
}

export function formatSummary(s: ProfileSummary): string {
  const list = (title: string, shares: Share[]): string => [title, ...shares.map(x => `  ${String(x.pct).padStart(5)}%  ${String(x.ms).padStart(6)} ms  ${x.name}`)].join("\n");
  return [
    `CPU profile: ${s.totalMs} ms sampled, ${s.busyMs} ms busy, ${s.idleMs} ms idle (percentages of busy time)${s.cpuMsPerSignal ? `; ${s.cpuMsPerSignal} ms of CPU per signal` : ""}`,
    list("self time by module:", s.selfByModule),
    list("on the stack, by module (inclusive):", s.onStackByModule),
    list("self time by function:", s.selfByFunction),
    list("on the stack, our functions (inclusive):", s.onStackOurs),
  ].join("\n\n");
}
