import { heapSummaryLine, packageOf, summarizeHeapSnapshot, type HeapSnapshot } from "./heap-summary";

const MB = 1024 * 1024;

// V8's own meta (Node 24), trace_node_id and detachedness included: the reader must find its fields by name.
const META = {
  node_fields: ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
  node_types: [["hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native", "synthetic", "concatenated string", "sliced string", "symbol", "bigint", "object shape"], "string", "number", "number", "number", "number", "number"],
  edge_fields: ["type", "name_or_index", "to_node"],
  edge_types: [["context", "element", "property", "internal", "hidden", "shortcut", "weak"], "string_or_number", "node"],
} as HeapSnapshot["snapshot"]["meta"];

interface Node {
  type: string;
  name: string;
  size: number;
  edges?: [type: string, name: string | number, to: number][];
}

/** Writes the nodes in V8's flat format; edges name their target by its position in `nodes`. */
function snapshot(nodes: Node[]): HeapSnapshot {
  const strings: string[] = [];
  const str = (s: string): number => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  const flatNodes: number[] = [];
  const flatEdges: number[] = [];
  nodes.forEach((n, id) => {
    flatNodes.push(META.node_types[0].indexOf(n.type), str(n.name), id * 2 + 1, n.size, n.edges?.length ?? 0, 0, 0);
    for (const [type, name, to] of n.edges ?? []) flatEdges.push(META.edge_types[0].indexOf(type), typeof name === "number" ? name : str(name), to * META.node_fields.length);
  });
  return { snapshot: { meta: META }, nodes: flatNodes, edges: flatEdges, strings };
}

// The global object holds the informer (its class name minified to "RA") and
// a client; the informer's two maps both hold one RR, which holds its own
// string, a string the global object shares, and (weakly) a memo; the client
// holds a cache under one of the informer's property names.
const HEAP = snapshot([
  /* 0 */ { type: "synthetic", name: "", size: 0, edges: [["shortcut", "global", 1]] },
  /* 1 */ { type: "object", name: "Global", size: 1 * MB, edges: [["property", "informer", 2], ["property", "client", 5], ["property", "label", 8]] },
  /* 2 */ { type: "object", name: "RA", size: 1 * MB, edges: [["property", "byName", 3], ["property", "byFingerprint", 4], ["property", "rrs", 5]] },
  /* 3 */ { type: "object", name: "Map", size: 1 * MB, edges: [["internal", "table", 6]] },
  /* 4 */ { type: "object", name: "Map", size: 1 * MB, edges: [["element", 0, 6]] },
  /* 5 */ { type: "object", name: "RemediationRequestClient", size: 1 * MB, edges: [["property", "byName", 9]] },
  /* 6 */ { type: "object", name: "Object", size: 3 * MB, edges: [["property", "name", 7], ["property", "kind", 8], ["weak", "memo", 10]] },
  /* 7 */ { type: "concatenated string", name: "rr-1", size: 1 * MB },
  /* 8 */ { type: "sliced string", name: "RemediationRequest", size: 0.5 * MB },
  /* 9 */ { type: "object", name: "Cache", size: 0.25 * MB },
  /* 10 */ { type: "object", name: "Memo", size: 0.25 * MB },
]);

describe("summarizeHeapSnapshot", () => {
  it("totals the self size of every object, by type and by constructor (V8's internal kinds under DevTools' names)", () => {
    const s = summarizeHeapSnapshot(HEAP);
    expect(s.nodes).toBe(11);
    expect(s.totalMB).toBe(10);
    expect(s.byType).toEqual([
      { name: "object", count: 8, selfMB: 8.5 },
      { name: "concatenated string", count: 1, selfMB: 1 },
      { name: "sliced string", count: 1, selfMB: 0.5 },
      { name: "synthetic", count: 1, selfMB: 0 },
    ]);
    expect(s.byConstructor.slice(0, 3)).toEqual([
      { name: "Object", count: 1, selfMB: 3 },
      { name: "Map", count: 2, selfMB: 2 },
      { name: "(string)", count: 2, selfMB: 1.5 },
    ]);
  });

  it("keeps the top groups only", () => {
    expect(summarizeHeapSnapshot(HEAP, { top: 2 }).byConstructor.map(g => g.name)).toEqual(["Object", "Map"]);
  });

  it("lists the largest single objects", () => {
    expect(summarizeHeapSnapshot(HEAP).largest[0]).toEqual({ type: "object", name: "Object", selfMB: 3 });
  });

  it("counts what the named properties' targets retain on their own: not what is reachable from elsewhere, not what is only weakly held", () => {
    const [retained] = summarizeHeapSnapshot(HEAP, { retainers: [{ label: "RR cache", holders: [{ properties: ["byName", "byFingerprint"] }] }] }).retained;
    // The two maps, the RR and its own string; not the shared string, not the client, not the weakly held memo, not the client's
    // cache (the client has only one of the two properties).
    expect(retained).toEqual({
      label: "RR cache",
      roots: 2,
      objects: 4,
      retainedMB: 6,
      byConstructor: [
        { name: "Object", count: 1, selfMB: 3 },
        { name: "Map", count: 2, selfMB: 2 },
        { name: "(string)", count: 1, selfMB: 1 },
      ],
    });
  });

  it("takes the objects that have the property, of that constructor when one is named", () => {
    const [byAnyone] = summarizeHeapSnapshot(HEAP, { retainers: [{ label: "byName", holders: [{ properties: ["byName"] }] }] }).retained;
    // The informer's map (1 MB, the RR is also in the other map) and the client's cache (0.25 MB, held by no one else strongly).
    expect(byAnyone).toMatchObject({ roots: 2, objects: 2, retainedMB: 1.25 });
    const [byClient] = summarizeHeapSnapshot(HEAP, { retainers: [{ label: "byName", holders: [{ properties: ["byName"], constructorName: "RemediationRequestClient" }] }] }).retained;
    expect(byClient).toMatchObject({ roots: 1, objects: 1, retainedMB: 0.25 });
  });

  it("finds no roots, and retains nothing, when no object has all the properties", () => {
    const [retained] = summarizeHeapSnapshot(HEAP, { retainers: [{ label: "RR cache", holders: [{ properties: ["byName", "absent"] }] }] }).retained;
    expect(retained).toMatchObject({ roots: 0, objects: 0, retainedMB: 0 });
  });

  it("counts what several holders retain together, beside what each retains alone: what they share is retained only by both", () => {
    // The RR (in the informer's maps) and the global object's "label" property both hold the shared string.
    const informer = { properties: ["byName", "byFingerprint"] };
    const label = { properties: ["label"], constructorName: "Global" };
    const retained = summarizeHeapSnapshot(HEAP, {
      retainers: [
        { label: "informer", holders: [informer] },
        { label: "label", holders: [label] },
        { label: "both", holders: [informer, label] },
      ],
    }).retained;
    expect(retained.map(r => [r.label, r.roots, r.retainedMB])).toEqual([
      ["informer", 2, 6],
      ["label", 1, 0],
      ["both", 3, 6.5],
    ]);
  });

  it("says what is not a heap snapshot", () => {
    const broken = { ...HEAP, snapshot: { meta: { ...META, node_fields: ["type", "name"] } } };
    expect(() => summarizeHeapSnapshot(broken)).toThrow(/not a V8 heap snapshot: no "self_size"/);
  });
});

describe("source text", () => {
  // Three scripts (two of one package, the same text shared by two of them counted once), and a string that is no script's source.
  const SCRIPTS = snapshot([
    /* 0 */ { type: "synthetic", name: "", size: 0, edges: [["element", 0, 1], ["element", 1, 2], ["element", 2, 3], ["element", 3, 7], ["element", 4, 8]] },
    /* 1 */ { type: "code", name: "file:///app/node_modules/@kubernetes/client-node/dist/gen/types/ObservableAPI.js", size: 100, edges: [["internal", "source", 4]] },
    /* 2 */ { type: "code", name: "/app/node_modules/pepr/node_modules/@kubernetes/client-node/dist/index.js", size: 100, edges: [["internal", "source", 5], ["internal", "name", 6]] },
    /* 3 */ { type: "code", name: "node:internal/http2/core", size: 100, edges: [["internal", "source", 6]] },
    /* 4 */ { type: "string", name: "import { mergeConfiguration }", size: 4 * MB },
    /* 5 */ { type: "concatenated string", name: "// TODO", size: 1 * MB },
    /* 6 */ { type: "string", name: "'use strict'", size: 0.5 * MB },
    /* 7 */ { type: "code", name: "node:internal/http2/core (copy)", size: 100, edges: [["internal", "source", 6]] },
    /* 8 */ { type: "string", name: "a payload", size: 2 * MB },
  ]);

  it("adds up the text of each script once, by package", () => {
    expect(summarizeHeapSnapshot(SCRIPTS).sourceText).toEqual({
      scripts: 3,
      totalMB: 5.5,
      byPackage: [
        { name: "@kubernetes/client-node", count: 2, selfMB: 5 },
        { name: "node: (built-in)", count: 1, selfMB: 0.5 },
      ],
    });
  });

  it.each([
    ["file:///app/node_modules/@kubernetes/client-node/dist/index.js", "@kubernetes/client-node"],
    ["/app/node_modules/pepr/node_modules/undici/index.js", "undici"],
    ["/app/node_modules/pino/pino.js", "pino"],
    ["node:internal/streams/readable", "node: (built-in)"],
    ["/app/module-8f955a.js", "other"],
    ["", "other"],
  ])("names the package of %j: %s", (script, name) => {
    expect(packageOf(script)).toBe(name);
  });
});

describe("heapSummaryLine", () => {
  it("names the largest groups, the scripts' text and the retained set", () => {
    const s = summarizeHeapSnapshot(HEAP, { retainers: [{ label: "RR cache", holders: [{ properties: ["byName", "byFingerprint"] }] }, { label: "the client", holders: [{ properties: ["client"] }] }] });
    expect(heapSummaryLine(s, 2)).toBe("heap snapshot 10.0 MB: Object 3.0, Map 2.0; source text of 0 scripts 0.0 MB; retained by RR cache 6.0 MB, the client 0.0 MB");
  });
});
