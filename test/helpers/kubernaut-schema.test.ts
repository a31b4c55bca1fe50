import { Additions, CustomResourceDefinition, kubernautCrd, kubernautSchema, ourCrd, readAdditions, withoutAdditions } from "./kubernaut-schema";

describe("withoutAdditions", () => {
  const crd = (): CustomResourceDefinition => ({
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "things.example.com" },
    spec: {
      versions: [
        {
          name: "v1",
          schema: { openAPIV3Schema: { type: "object", properties: { status: { type: "object", required: ["a", "ours"], properties: { a: { type: "string" }, ours: { type: "object", properties: { n: { type: "integer" } } } } } } } },
          additionalPrinterColumns: [{ name: "A", jsonPath: ".status.a" }, { name: "Ours", jsonPath: ".status.ours.n" }],
          selectableFields: [{ jsonPath: ".status.a" }, { jsonPath: ".status.ours.n" }],
        },
      ],
    },
  });
  const additions: Additions = { fields: ["status.ours"], printerColumns: ["Ours"], selectableFields: [".status.ours.n"] };

  it("drops the listed fields (and their required entries), printer columns and selectable fields", () => {
    const version = withoutAdditions(crd(), additions).spec.versions[0];
    expect(version.schema.openAPIV3Schema.properties?.status.properties).toEqual({ a: { type: "string" } });
    expect(version.schema.openAPIV3Schema.properties?.status.required).toEqual(["a"]);
    expect(version.additionalPrinterColumns?.map(c => c.name)).toEqual(["A"]);
    expect(version.selectableFields).toEqual([{ jsonPath: ".status.a" }]);
  });

  it("drops nested fields by their dotted path", () => {
    const version = withoutAdditions(crd(), { fields: ["status.ours.n"], printerColumns: [], selectableFields: [] }).spec.versions[0];
    expect(version.schema.openAPIV3Schema.properties?.status.properties?.ours).toEqual({ type: "object", properties: {} });
  });

  it("does not change its input", () => {
    const input = crd();
    withoutAdditions(input, additions);
    expect(input).toEqual(crd());
  });

  it.each<[string, Additions, RegExp]>([
    ["an unknown field", { fields: ["status.nope"], printerColumns: [], selectableFields: [] }, /field "status.nope" is not in the CRD's schema/],
    ["an unknown parent", { fields: ["spec.x"], printerColumns: [], selectableFields: [] }, /field "spec.x" is not in the CRD's schema/],
    ["an unknown printer column", { fields: [], printerColumns: ["Nope"], selectableFields: [] }, /printer column "Nope" is not in version v1/],
    ["an unknown selectable field", { fields: [], printerColumns: [], selectableFields: [".nope"] }, /selectable field ".nope" is not in version v1/],
  ])("refuses a stale list: %s", (_title, stale, message) => {
    expect(() => withoutAdditions(crd(), stale)).toThrow(message);
  });
});

describe("kubernautCrd (the repository's files)", () => {
  it("is our CRD without rr-gateway's additions", () => {
    const ours = ourCrd();
    const theirs = kubernautCrd();
    const additions = readAdditions();
    expect(theirs.metadata.name).toBe(ours.metadata.name);
    const status = theirs.spec.versions[0].schema.openAPIV3Schema.properties?.status.properties ?? {};
    expect(status.stormAggregation).toBeUndefined();
    expect(Object.keys(status.deduplication?.properties ?? {}).sort()).toEqual(["firstSeenAt", "lastSeenAt", "occurrenceCount"]);
    const columns = theirs.spec.versions[0].additionalPrinterColumns?.map(c => c.name) ?? [];
    for (const name of additions.printerColumns) expect(columns).not.toContain(name);
    expect(columns.length).toBe((ours.spec.versions[0].additionalPrinterColumns?.length ?? 0) - additions.printerColumns.length);
  });

  it("keeps kubernaut's RO fields", () => {
    const status = kubernautSchema().properties?.status.properties ?? {};
    for (const field of ["overallPhase", "startTime", "completedAt", "phaseProgress", "routingStatus", "completionStatus", "conditions"]) expect(status[field]).toBeDefined();
  });
});
