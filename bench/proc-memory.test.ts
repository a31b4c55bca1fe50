import { procMemory } from "./proc-memory";

const STATUS = `Name:\tnode
VmPeak:\t 1234567 kB
VmRSS:\t  307200 kB
RssAnon:\t  256000 kB
RssFile:\t   51200 kB
RssShmem:\t       0 kB
Threads:\t11
`;

/** One smaps entry: the header line, then a few of its fields, as the kernel writes them. */
const mapping = (range: string, perms: string, inode: number, name: string, rssKb: number, lazyFreeKb = 0, anonHugePagesKb = 0): string =>
  [
    `${range} ${perms} 00000000 ${inode ? "fe:00" : "00:00"} ${inode}${name ? `                     ${name}` : " "}`,
    `Size:               ${rssKb * 2} kB`,
    `Rss:                ${rssKb} kB`,
    `Pss:                ${rssKb} kB`,
    `LazyFree:           ${lazyFreeKb} kB`,
    `AnonHugePages:      ${anonHugePagesKb} kB`,
    "THPeligible:    0",
    "VmFlags: rd wr mr mw me ac",
  ].join("\n");

const SMAPS = [
  mapping("55a6c0000000-55a6c4000000", "r-xp", 247278, "/usr/local/bin/node", 40960),
  mapping("55a6c4000000-55a6c4100000", "rw-p", 247278, "/usr/local/bin/node", 1024),
  mapping("55a6c5000000-55a6cb000000", "rw-p", 0, "[heap]", 102400),
  mapping("7f0000000000-7f0004000000", "rw-p", 0, "", 65536, 0, 4096),
  mapping("7f0004000000-7f0008000000", "rw-p", 0, "", 10240, 5120),
  mapping("7f0008000000-7f0008001000", "---p", 0, "", 0),
  mapping("7f1000000000-7f1000200000", "r-xp", 12345, "/usr/lib/x86_64-linux-gnu/libc.so.6", 1536),
  mapping("7ffc00000000-7ffc00021000", "rw-p", 0, "[stack]", 132),
].join("\n");

describe("procMemory", () => {
  it("reads RSS and its anonymous, file and shared parts from /proc/PID/status, in MB", () => {
    expect(procMemory(STATUS, SMAPS)).toMatchObject({ rssMB: 300, rssAnonMB: 250, rssFileMB: 50, rssShmemMB: 0 });
  });

  it("tells glibc's main arena ([heap]) from the unnamed anonymous mappings, largest first", () => {
    expect(procMemory(STATUS, SMAPS)).toMatchObject({ brkHeapMB: 100, unnamedAnonMB: 74, unnamedAnonMappings: 2, largestUnnamedAnonMB: [64, 10, 0] });
  });

  it("adds up the lazily freed pages (MADV_FREE) and the transparent huge pages of every mapping", () => {
    expect(procMemory(STATUS, SMAPS)).toMatchObject({ lazyFreeMB: 5, anonHugePagesMB: 4 });
  });

  it("adds up the mappings of each file, largest first", () => {
    expect(procMemory(STATUS, SMAPS).files).toEqual([
      { file: "/usr/local/bin/node", rssMB: 41 },
      { file: "/usr/lib/x86_64-linux-gnu/libc.so.6", rssMB: 1.5 },
    ]);
  });

  it("says which field is missing from an old kernel's status", () => {
    expect(() => procMemory("VmRSS:\t 1 kB\n", SMAPS)).toThrow(/no RssAnon in \/proc\/PID\/status/);
  });
});
