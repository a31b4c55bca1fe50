/**
 * What Linux says about a process's resident memory, from /proc/PID/status
 * and /proc/PID/smaps: how much is anonymous (malloc, V8's heap, stacks) and
 * how much is mapped from files (the node binary and shared libraries, which
 * the kernel may drop and read back), and, among the anonymous mappings, how
 * much is glibc's main malloc arena ("[heap]", grown with brk). V8's pages,
 * glibc's per-thread arenas and large malloc blocks are anonymous mappings
 * without a name: they cannot be told apart from here.
 */

export interface ProcMemory {
  rssMB: number;
  /** RssAnon: anonymous pages (malloc, V8's heap, thread stacks). */
  rssAnonMB: number;
  /** RssFile: pages of mapped files (the node binary's code and data, shared libraries). */
  rssFileMB: number;
  rssShmemMB: number;
  /** The "[heap]" mapping: glibc malloc's main arena (blocks under the mmap threshold, from the main thread). */
  brkHeapMB: number;
  /** Anonymous mappings without a name: V8's heap pages, other malloc arenas, large malloc blocks, thread stacks. */
  unnamedAnonMB: number;
  /** How many unnamed anonymous mappings have resident pages: a few large ones would be malloc arenas, many small ones V8's pages or large malloc blocks. */
  unnamedAnonMappings: number;
  /** The resident size of the largest unnamed anonymous mappings, largest first. */
  largestUnnamedAnonMB: number[];
  /**
   * Pages freed with MADV_FREE: still counted in RSS until the kernel needs
   * them (then dropped without a write). A large figure means RSS overstates
   * what the process holds.
   */
  lazyFreeMB: number;
  /** Transparent huge pages: a few used bytes can make 2 MB resident. */
  anonHugePagesMB: number;
  /** Resident size of each mapped file, largest first (at most 5). */
  files: { file: string; rssMB: number }[];
}

const mb = (kB: number): number => Math.round((kB / 1024) * 10) / 10;

/** Reads /proc/PID/status and /proc/PID/smaps, both given as text. */
export function procMemory(status: string, smaps: string): ProcMemory {
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(status);
    if (!m) throw new Error(`no ${name} in /proc/PID/status (Linux 4.5 or later has it)`);
    return Number(m[1]);
  };
  const mappings = residentByMapping(smaps);
  const unnamed = mappings.filter(m => m.name === "").map(m => m.rssKb);
  const files = new Map<string, number>();
  for (const m of mappings) if (m.name.startsWith("/")) files.set(m.name, (files.get(m.name) ?? 0) + m.rssKb);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    rssMB: mb(field("VmRSS")),
    rssAnonMB: mb(field("RssAnon")),
    rssFileMB: mb(field("RssFile")),
    rssShmemMB: mb(field("RssShmem")),
    brkHeapMB: mb(sum(mappings.filter(m => m.name === "[heap]").map(m => m.rssKb))),
    unnamedAnonMB: mb(sum(unnamed)),
    unnamedAnonMappings: unnamed.filter(kB => kB > 0).length,
    lazyFreeMB: mb(sum(mappings.map(m => m.lazyFreeKb))),
    anonHugePagesMB: mb(sum(mappings.map(m => m.anonHugePagesKb))),
    largestUnnamedAnonMB: unnamed
      .sort((a, b) => b - a)
      .slice(0, 5)
      .map(mb),
    files: [...files]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 5)
      .map(([file, kB]) => ({ file, rssMB: mb(kB) })),
  };
}

interface Mapping {
  /** "" for anonymous, "[heap]", "[stack]", a file's path... */
  name: string;
  rssKb: number;
  lazyFreeKb: number;
  anonHugePagesKb: number;
}

const FIELDS: Record<string, "rssKb" | "lazyFreeKb" | "anonHugePagesKb"> = { Rss: "rssKb", LazyFree: "lazyFreeKb", AnonHugePages: "anonHugePagesKb" };

/** Each mapping of /proc/PID/smaps, with the fields we read. */
function residentByMapping(smaps: string): Mapping[] {
  const out: Mapping[] = [];
  for (const line of smaps.split("\n")) {
    // A mapping's header: "start-end perms offset dev inode [name]"; its fields follow, one a line.
    const header = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/.exec(line);
    if (header) {
      out.push({ name: header[1].trim(), rssKb: 0, lazyFreeKb: 0, anonHugePagesKb: 0 });
      continue;
    }
    const field = /^(\w+):\s+(\d+) kB/.exec(line);
    const key = field && FIELDS[field[1]];
    if (key && out.length > 0) out[out.length - 1][key] = Number(field[2]);
  }
  return out;
}
