import { readFileSync } from "node:fs";
import path from "node:path";
import { loadYaml } from "@kubernetes/client-node";
import { KUBERNAUT_ADDITIONS } from "./kubernaut-additions";
import { ALL_FEATURES_ON, featuresOf, featuresOff, isDeclared, OPTIONAL_FEATURES, type DeclaredSchema } from "./schema-features";

const repo = process.env.RRGW_REPO_DIR ?? process.cwd();
const ourSchema = (): DeclaredSchema =>
  loadYaml<{ spec: { versions: { schema: { openAPIV3Schema: DeclaredSchema } }[] } }>(readFileSync(path.join(repo, "crds/remediationrequest.yaml"), "utf8")).spec.versions[0].schema.openAPIV3Schema;
const additions = (): readonly string[] => KUBERNAUT_ADDITIONS.fields;

describe("optional features and the installed schema", () => {
  it("are all on under rr-gateway's CRD", () => {
    expect(featuresOf(ourSchema())).toEqual(ALL_FEATURES_ON);
  });

  it("are all off under a schema without our additions (kubernaut's), and named for the logs", () => {
    const kubernautLike: DeclaredSchema = { properties: { status: { properties: { deduplication: { properties: { occurrenceCount: {}, firstSeenAt: {}, lastSeenAt: {} } } } } } };
    const set = featuresOf(kubernautLike);
    expect(set).toEqual({ stormAggregation: false, resolvedCounts: false, duplicateMarking: false, eventWatermarks: false });
    expect(featuresOff(set)).toEqual(["storm-aggregation", "resolved-counts", "duplicate-marking", "event-watermarks"]);
  });

  it("count a field under x-kubernetes-preserve-unknown-fields as declared", () => {
    expect(isDeclared({ properties: { status: { "x-kubernetes-preserve-unknown-fields": true } } }, "status.stormAggregation.isPartOfStorm")).toBe(true);
  });

  it("cover every field KUBERNAUT_ADDITIONS adds, and only those", () => {
    const written = Object.values(OPTIONAL_FEATURES).flatMap(f => f.fields);
    for (const field of written) expect(additions().some(added => field === added || field.startsWith(`${added}.`))).toBe(true);
    for (const added of additions()) expect(written.some(field => field === added || field.startsWith(`${added}.`))).toBe(true);
  });
});
