import { type Dispatcher, request } from "undici";

/**
 * The sum of a metric's samples in a Prometheus text exposition: every label
 * set of `name` (not its _bucket/_sum/_count series), or only those whose
 * label text matches `labels`.
 */
export function sumSamples(text: string, name: string, labels?: RegExp | string): number {
  const sample = new RegExp(`^${name}(?:\\{([^}]*)\\})? (\\S+)$`, "gm");
  let sum = 0;
  for (const [, found = "", value] of text.matchAll(sample)) {
    const wanted = labels === undefined || (typeof labels === "string" ? found.includes(labels) : labels.test(found));
    if (wanted) sum += Number(value);
  }
  return sum;
}

/** sumSamples over what `${url}/metrics` serves now (dispatcher: e.g. one that trusts a test CA, for HTTPS). */
export async function scrapeSum(url: string, name: string, labels?: RegExp | string, dispatcher?: Dispatcher): Promise<number> {
  return sumSamples(await (await request(`${url}/metrics`, { dispatcher })).body.text(), name, labels);
}
