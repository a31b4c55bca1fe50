import { OriginalPayloadError, readOriginalPayload } from "./original-payload";

describe("readOriginalPayload", () => {
  const alert = { labels: { alertname: "KubePodCrashLooping", pod: "web-1" }, annotations: { summary: "a/b+c" } };

  it("reads the JSON text kubernaut's gateway and this one store", () => {
    expect(readOriginalPayload(JSON.stringify(alert))).toEqual(alert);
  });

  it("reads the base64 form RRs of earlier versions hold", () => {
    expect(readOriginalPayload(Buffer.from(JSON.stringify(alert)).toString("base64"))).toEqual(alert);
  });

  it("reads JSON scalars and arrays as JSON, not as base64", () => {
    expect(readOriginalPayload("null")).toBeNull();
    expect(readOriginalPayload("[1]")).toEqual([1]);
    expect(readOriginalPayload("true")).toBe(true);
  });

  it("says nothing was kept when the field is absent", () => {
    expect(readOriginalPayload(undefined)).toBeUndefined();
    expect(readOriginalPayload("")).toBeUndefined();
  });

  it("names the field when the text is neither form", () => {
    expect(() => readOriginalPayload("{not json")).toThrow(OriginalPayloadError);
    expect(() => readOriginalPayload("{not json")).toThrow(/spec.originalPayload is neither JSON text nor base64/);
    expect(() => readOriginalPayload(Buffer.from("plain text").toString("base64"))).toThrow(/base64 of something that is not JSON/);
  });
});
