import { execFileSync } from "node:child_process";
import path from "node:path";
import yaml from "js-yaml";
import { REPO_DIR } from "./controlplane";
import type { Obj } from "./module-build";

let binary: string | undefined;

/**
 * The helm CLI, built from its Go module on first use (hack/ensure-helm.sh:
 * a few minutes on 2 cores, progress on stderr), then cached in ~/.cache/rr-gateway.
 */
export function helmBinary(): string {
  binary ??= execFileSync("bash", [path.join(REPO_DIR, "hack/ensure-helm.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], timeout: 1_200_000 }).trim();
  return binary;
}

/** Runs helm; a failure throws with helm's own message (stderr). */
export function helm(args: string[]): string {
  try {
    return execFileSync(helmBinary(), args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string; message: string };
    throw new Error(`helm ${args.join(" ")}: ${e.stderr || e.stdout || e.message}`);
  }
}

export interface Rendered {
  objects: Obj[];
  /** Each object's template, chart-relative (templates/x.yaml). */
  sources: string[];
  text: string;
}

/** `helm template` of the chart, as the objects it renders and the template each came from. */
export function helmTemplate(chartDir: string, extraArgs: string[] = []): Rendered {
  const text = helm(["template", "rr-gateway", chartDir, "--namespace", "pepr-system", ...extraArgs]);
  const objects: Obj[] = [];
  const sources: string[] = [];
  for (const doc of text.split(/^---\s*$/m)) {
    const object = yaml.load(doc) as Obj | undefined;
    if (!object) continue;
    objects.push(object);
    sources.push(/^# Source: [^/]+\/(.+)$/m.exec(doc)?.[1] ?? "?");
  }
  return { objects, sources, text };
}
