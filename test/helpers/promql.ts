/**
 * Reading PromQL and monitoring manifests for the monitoring tests: which
 * series an expression selects, and every query of a Grafana dashboard.
 */

/** PromQL words that look like metric names but are not. */
const KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan"]);

/**
 * The vector selectors of an expression (`name{matchers}` or a bare name),
 * without range or offset: each one asks Prometheus for series by name. Label
 * lists of by/without/on/ignoring and function names are left out.
 */
export function vectorSelectors(expr: string): string[] {
  // Label values may contain anything: set them aside first (as @n@, which no PromQL expression contains), then drop the label lists of by/without/on/ignoring.
  const strings: string[] = [];
  const text = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, s => {
      strings.push(s);
      return `@${strings.length - 1}@`;
    })
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const restore = (s: string): string => s.replace(/@(\d+)@/g, (_m, i: string) => strings[Number(i)]);
  const found: string[] = [];
  const re = /([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(\{[^}]*\})?/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[0] === "") {
      re.lastIndex++;
      continue;
    }
    const [whole, name, matchers] = m;
    const before = text[m.index - 1] ?? " ";
    const after = text.slice(m.index + whole.length).trimStart();
    if (!name && !matchers) continue;
    if (name && (KEYWORDS.has(name.toLowerCase()) || after.startsWith("("))) continue; // a keyword or a function
    if (name && /[0-9.]/.test(before)) continue; // a duration's unit or a number's exponent
    found.push(restore(`${name ?? ""}${matchers ?? ""}`.trim()));
  }
  return [...new Set(found)];
}

/** The metric names an expression selects (the bare name of each selector, or its __name__ matcher). */
export function metricNames(expr: string): string[] {
  return vectorSelectors(expr).map(s => s.match(/^[a-zA-Z_:][a-zA-Z0-9_:]*/)?.[0] ?? s.match(/__name__\s*=\s*"([^"]+)"/)?.[1] ?? s);
}

export interface GrafanaPanel {
  title?: string;
  targets?: { expr?: string }[];
  panels?: GrafanaPanel[];
}

/** Every panel query of a Grafana dashboard, with its panel's title (rows' nested panels included). */
export function dashboardQueries(dashboard: { panels?: GrafanaPanel[] }): { panel: string; expr: string }[] {
  const out: { panel: string; expr: string }[] = [];
  const walk = (panels: GrafanaPanel[] = []): void => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ panel: p.title ?? "(untitled)", expr: t.expr });
      walk(p.panels);
    }
  };
  walk(dashboard.panels);
  return out;
}

/** A dashboard query with Grafana's variables replaced, ready for Prometheus' API. */
export function resolveVariables(expr: string, values: Record<string, string>): string {
  return expr.replace(/\$(?:\{(\w+)\}|(\w+))/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare!;
    if (!(name in values)) throw new Error(`no value for the dashboard variable $${name} in ${expr}`);
    return values[name];
  });
}
