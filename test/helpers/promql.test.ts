import { dashboardQueries, metricNames, resolveVariables, vectorSelectors } from "./promql";

describe("vectorSelectors", () => {
  it.each([
    ["up{job=\"rr-gateway\"} == 0", ['up{job="rr-gateway"}']],
    ["rr_gateway_rr_cache_synced == 0", ["rr_gateway_rr_cache_synced"]],
    ["max by (namespace) (rr_gateway_api_circuit_open) == 1", ["rr_gateway_api_circuit_open"]],
    [
      'sum by (namespace, reason) (rate(rr_gateway_signals_rejected_total{reason=~"invalid|stale"}[5m])) > 0.01',
      ['rr_gateway_signals_rejected_total{reason=~"invalid|stale"}'],
    ],
    [
      'histogram_quantile(0.95, sum by (namespace, le) (rate(rr_gateway_http_request_duration_seconds_bucket{endpoint=~"/api/v1/signals/.+"}[5m]))) > 1',
      ['rr_gateway_http_request_duration_seconds_bucket{endpoint=~"/api/v1/signals/.+"}'],
    ],
    [
      'sum by (namespace) (rate(rr_gateway_apply_conflicts_total[5m])) / sum by (namespace) (rate(rr_gateway_api_writes_total{operation=~"apply-.+"}[5m])) > 0.5',
      ["rr_gateway_apply_conflicts_total", 'rr_gateway_api_writes_total{operation=~"apply-.+"}'],
    ],
    ['sum(x{a="}{ by (b)"}) without (c)', ['x{a="}{ by (b)"}']],
    ["rate(a[1m] offset 5m) and on (x) b", ["a", "b"]],
    ["1e3 * up", ["up"]],
  ])("%s", (expr, selectors) => {
    expect(vectorSelectors(expr)).toEqual(selectors);
  });

  it("names the metrics", () => {
    expect(metricNames('sum(rate(a_total{x="1"}[5m])) / sum(b)')).toEqual(["a_total", "b"]);
  });
});

describe("dashboardQueries", () => {
  it("finds every target's expression, in rows too", () => {
    const dashboard = { panels: [{ title: "A", targets: [{ expr: "a" }, { expr: "b" }] }, { title: "row", panels: [{ title: "C", targets: [{ expr: "c" }] }] }, { title: "text" }] };
    expect(dashboardQueries(dashboard)).toEqual([
      { panel: "A", expr: "a" },
      { panel: "A", expr: "b" },
      { panel: "C", expr: "c" },
    ]);
  });
});

describe("resolveVariables", () => {
  it("replaces $name and ${name}", () => {
    expect(resolveVariables('rate(x{namespace="$namespace", job="${job}"}[$__rate_interval])', { namespace: "n", job: "j", __rate_interval: "1m" })).toBe('rate(x{namespace="n", job="j"}[1m])');
  });

  it("refuses a variable it has no value for", () => {
    expect(() => resolveVariables("x{a=\"$missing\"}", {})).toThrow(/\$missing/);
  });
});
