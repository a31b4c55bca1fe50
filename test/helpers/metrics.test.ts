import { sumSamples } from "./metrics";

const TEXT = [
  "# HELP rr_gateway_api_writes_total API writes",
  "# TYPE rr_gateway_api_writes_total counter",
  'rr_gateway_api_writes_total{operation="create"} 3',
  'rr_gateway_api_writes_total{operation="apply-status"} 5',
  "rr_gateway_api_writes_total_other 100",
  "rr_gateway_in_flight 2",
  'rr_gateway_http_request_duration_seconds_bucket{le="0.1"} 7',
  "rr_gateway_http_request_duration_seconds_count 7",
].join("\n");

describe("sumSamples", () => {
  it("sums every label set of the metric, and nothing of metrics that only start with its name", () => {
    expect(sumSamples(TEXT, "rr_gateway_api_writes_total")).toBe(8);
  });

  it("keeps only the label sets whose text matches", () => {
    expect(sumSamples(TEXT, "rr_gateway_api_writes_total", 'operation="create"')).toBe(3);
    expect(sumSamples(TEXT, "rr_gateway_api_writes_total", /apply/)).toBe(5);
  });

  it("reads a metric without labels, and says 0 for one that is absent", () => {
    expect(sumSamples(TEXT, "rr_gateway_in_flight")).toBe(2);
    expect(sumSamples(TEXT, "rr_gateway_absent_total")).toBe(0);
  });
});
