import { execFileSync } from "node:child_process";

/**
 * Which code a results file measured: the commit, and whether the work tree
 * differed from it (a dirty tree's figures belong to no commit). Every
 * results file records it (bench runs, profile summaries, soak runs).
 */
export interface SourceState {
  commit: string;
  /** True when `git status` shows changes (staged, unstaged or untracked) at the time of the run. */
  dirty: boolean;
  /** The changed paths, as `git status --porcelain` lists them (first 50). */
  changes: string[];
}

export function sourceState(repoDir: string): SourceState {
  const git = (...args: string[]): string => {
    try {
      return execFileSync("git", args, { cwd: repoDir, encoding: "utf8" }).trim();
    } catch {
      return "";
    }
  };
  const changes = git("status", "--porcelain").split("\n").filter(Boolean);
  return { commit: git("rev-parse", "--short", "HEAD") || "unknown", dirty: changes.length > 0, changes: changes.slice(0, 50) };
}

/** "abc1234" or "abc1234 (dirty tree)", for the docs and the console. */
export function describeSource(state: SourceState): string {
  return state.dirty ? `${state.commit} (dirty tree: ${state.changes.length} change(s))` : state.commit;
}
