/**
 * Reads a V8 heap snapshot (v8.writeHeapSnapshot, Chrome DevTools' format)
 * and says where the JavaScript heap goes: self size by kind of object, the
 * largest single objects, and what a chosen set of objects (e.g. the RR
 * cache's maps) retains on its own.
 *
 * The format: `nodes` and `edges` are flat arrays of numbers, one record of
 * meta.node_fields (resp. edge_fields) numbers per node (edge). A node's edges
 * follow those of the previous node, edge_count of them; an edge's to_node is
 * the index of the target's first field in `nodes`. Names are indices into
 * `strings`, except the names of element and hidden edges, which are numbers.
 */

export interface HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      /** node_types[0] names the values of the "type" field. */
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface HeapGroup {
  /** A constructor's name, or DevTools' name for V8's internal kinds: "(string)", "(compiled code)", "(system)"... */
  name: string;
  count: number;
  selfMB: number;
}

export interface HeapObject {
  type: string;
  name: string;
  selfMB: number;
}

/** What some references keep alive on their own: what would be freed if they were cleared. */
export interface Retained {
  label: string;
  /** The objects they reference (e.g. 3 Maps). */
  roots: number;
  /** Objects reachable only through them, the roots included if nothing else references them. */
  objects: number;
  retainedMB: number;
  byConstructor: HeapGroup[];
}

/** The source text of the loaded scripts (V8 keeps it to compile functions lazily), by package. */
export interface SourceText {
  scripts: number;
  totalMB: number;
  /** "@kubernetes/client-node", "undici", "node: (built-in)", "other" (the bundle itself, the preload...). */
  byPackage: HeapGroup[];
}

export interface HeapSummary {
  nodes: number;
  /** Self size of every object: about heapUsed at the time of the snapshot. */
  totalMB: number;
  byType: HeapGroup[];
  byConstructor: HeapGroup[];
  largest: HeapObject[];
  /** Part of the "(string)" group. */
  sourceText: SourceText;
  /** One per RetainerSpec, in their order. */
  retained: Retained[];
}

/** References to measure what they retain, together: those of every holder. */
export interface RetainerSpec {
  label: string;
  holders: HolderSpec[];
}

/**
 * The targets of these properties, in every object that has all of them (and
 * was made by this constructor, if given). A bundle may minify class names
 * (esbuild's keepNames sets the `name` property, not the name V8 reports):
 * property names survive it.
 */
export interface HolderSpec {
  properties: string[];
  constructorName?: string;
}

/** DevTools' names for the groups of V8's internal kinds; objects and natives are grouped by their name (the constructor's). */
const GROUP_OF_TYPE: Record<string, string> = {
  hidden: "(system)",
  array: "(array)",
  string: "(string)",
  "concatenated string": "(string)",
  "sliced string": "(string)",
  code: "(compiled code)",
  closure: "(closure)",
  regexp: "(regexp)",
  number: "(number)",
  symbol: "(symbol)",
  bigint: "(bigint)",
  "object shape": "(object shape)",
};

const MB = 1024 * 1024;
const mb = (bytes: number): number => Math.round((bytes / MB) * 100) / 100;

export function summarizeHeapSnapshot(s: HeapSnapshot, options: { top?: number; retainers?: RetainerSpec[] } = {}): HeapSummary {
  const top = options.top ?? 15;
  const graph = new Graph(s);
  const byType = new Groups();
  const byConstructor = new Groups();
  const largest: { index: number; self: number }[] = [];
  let total = 0;
  for (let n = 0; n < graph.count; n++) {
    const self = graph.selfSize(n);
    total += self;
    byType.add(graph.type(n), self);
    byConstructor.add(graph.group(n), self);
    largest.push({ index: n, self });
  }
  largest.sort((a, b) => b.self - a.self);
  return {
    nodes: graph.count,
    totalMB: mb(total),
    byType: byType.top(Infinity),
    byConstructor: byConstructor.top(top),
    largest: largest.slice(0, 5).map(({ index, self }) => ({ type: graph.type(index), name: graph.name(index).slice(0, 80), selfMB: mb(self) })),
    sourceText: sourceText(graph, top),
    retained: (options.retainers ?? []).map(spec => retainedBy(graph, spec, top)),
  };
}

/** Scripts are "code" nodes named by their file or URL, with an internal edge "source" to their text. */
function sourceText(graph: Graph, top: number): SourceText {
  const groups = new Groups();
  const counted = new Set<number>();
  let bytes = 0;
  for (let n = 0; n < graph.count; n++) {
    if (graph.type(n) !== "code") continue;
    const source = graph.target(n, "internal", "source");
    if (source === undefined || counted.has(source) || !graph.type(source).includes("string")) continue;
    counted.add(source);
    bytes += graph.selfSize(source);
    groups.add(packageOf(graph.name(n)), graph.selfSize(source));
  }
  return { scripts: counted.size, totalMB: mb(bytes), byPackage: groups.top(top) };
}

/** The npm package a script's file belongs to (the innermost node_modules), Node.js' own, or "other". */
export function packageOf(script: string): string {
  if (script.startsWith("node:")) return "node: (built-in)";
  const at = script.lastIndexOf("/node_modules/");
  if (at < 0) return "other";
  const [scope, name] = script.slice(at + "/node_modules/".length).split("/");
  return scope.startsWith("@") ? `${scope}/${name}` : scope;
}

/** One line for the bench's notes: the heap's largest groups, the scripts' text, and the retained set if any. */
export function heapSummaryLine(h: HeapSummary, groups = 4): string {
  const parts = h.byConstructor.slice(0, groups).map(g => `${g.name} ${g.selfMB.toFixed(1)}`);
  const retained = h.retained.length > 0 ? `; retained by ${h.retained.map(r => `${r.label} ${r.retainedMB.toFixed(1)} MB`).join(", ")}` : "";
  return `heap snapshot ${h.totalMB.toFixed(1)} MB: ${parts.join(", ")}; source text of ${h.sourceText.scripts} scripts ${h.sourceText.totalMB.toFixed(1)} MB${retained}`;
}

/**
 * What the snapshot's root would no longer reach without the holders'
 * references. Two walks over strong edges (weak ones keep nothing alive):
 * from the root without those references, then from their targets through
 * what the first walk did not reach.
 */
function retainedBy(graph: Graph, spec: RetainerSpec, top: number): Retained {
  const references = spec.holders.flatMap(h => graph.findReferences(h));
  const fromRoot = graph.walk([0], () => true, new Set(references.map(r => r.edge)));
  const roots = [...new Set(references.map(r => r.target))];
  const retained = graph.walk(
    roots.filter(n => !fromRoot[n]),
    n => !fromRoot[n],
  );
  const groups = new Groups();
  let bytes = 0;
  let objects = 0;
  for (let n = 0; n < graph.count; n++) {
    if (!retained[n]) continue;
    objects++;
    bytes += graph.selfSize(n);
    groups.add(graph.group(n), graph.selfSize(n));
  }
  return { label: spec.label, roots: roots.length, objects, retainedMB: mb(bytes), byConstructor: groups.top(top) };
}

class Graph {
  readonly count: number;
  private readonly nodeFields: number;
  private readonly edgeFields: number;
  private readonly typeOffset: number;
  private readonly nameOffset: number;
  private readonly selfOffset: number;
  private readonly edgeCountOffset: number;
  private readonly edgeTypeOffset: number;
  private readonly edgeNameOffset: number;
  private readonly edgeToOffset: number;
  private readonly nodeTypes: string[];
  private readonly edgeTypes: string[];
  /** Index in `edges` of each node's first edge; one more entry for the end. */
  private readonly firstEdge: Uint32Array;

  constructor(private readonly s: HeapSnapshot) {
    const meta = s.snapshot.meta;
    const field = (fields: string[], name: string): number => {
      const i = fields.indexOf(name);
      if (i < 0) throw new Error(`not a V8 heap snapshot: no "${name}" in its fields (${fields.join(", ")})`);
      return i;
    };
    this.nodeFields = meta.node_fields.length;
    this.edgeFields = meta.edge_fields.length;
    this.typeOffset = field(meta.node_fields, "type");
    this.nameOffset = field(meta.node_fields, "name");
    this.selfOffset = field(meta.node_fields, "self_size");
    this.edgeCountOffset = field(meta.node_fields, "edge_count");
    this.edgeTypeOffset = field(meta.edge_fields, "type");
    this.edgeNameOffset = field(meta.edge_fields, "name_or_index");
    this.edgeToOffset = field(meta.edge_fields, "to_node");
    this.nodeTypes = meta.node_types[0];
    this.edgeTypes = meta.edge_types[0];
    this.count = s.nodes.length / this.nodeFields;
    this.firstEdge = new Uint32Array(this.count + 1);
    for (let n = 0; n < this.count; n++) this.firstEdge[n + 1] = this.firstEdge[n] + s.nodes[n * this.nodeFields + this.edgeCountOffset] * this.edgeFields;
  }

  type(n: number): string {
    return this.nodeTypes[this.s.nodes[n * this.nodeFields + this.typeOffset]];
  }

  name(n: number): string {
    return this.s.strings[this.s.nodes[n * this.nodeFields + this.nameOffset]];
  }

  selfSize(n: number): number {
    return this.s.nodes[n * this.nodeFields + this.selfOffset];
  }

  group(n: number): string {
    const type = this.type(n);
    return GROUP_OF_TYPE[type] ?? this.name(n);
  }

  /** The target of the node's first edge of this type and name, if any. */
  target(n: number, type: string, name: string): number | undefined {
    for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.edgeFields) {
      const edgeType = this.edgeTypes[this.s.edges[e + this.edgeTypeOffset]];
      // Element and hidden edges are named by a number, not a string.
      if (edgeType !== type || edgeType === "element" || edgeType === "hidden") continue;
      if (this.s.strings[this.s.edges[e + this.edgeNameOffset]] === name) return this.s.edges[e + this.edgeToOffset] / this.nodeFields;
    }
    return undefined;
  }

  /** The references the spec names (edge and target): its properties in the objects that have them all. */
  findReferences(spec: HolderSpec): { edge: number; target: number }[] {
    const out: { edge: number; target: number }[] = [];
    for (let n = 0; n < this.count; n++) {
      if (this.type(n) !== "object" || (spec.constructorName !== undefined && this.name(n) !== spec.constructorName)) continue;
      const found = new Map<string, { edge: number; target: number }>();
      for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.edgeFields) {
        if (this.edgeTypes[this.s.edges[e + this.edgeTypeOffset]] !== "property") continue;
        const name = this.s.strings[this.s.edges[e + this.edgeNameOffset]];
        if (spec.properties.includes(name)) found.set(name, { edge: e, target: this.s.edges[e + this.edgeToOffset] / this.nodeFields });
      }
      if (found.size === spec.properties.length) out.push(...found.values());
    }
    return out;
  }

  /** Marks the nodes reachable from `from` over strong edges but `skip` (edge indices), entering only nodes `may` allows (the starts are always marked). */
  walk(from: number[], may: (n: number) => boolean, skip = new Set<number>()): Uint8Array {
    const seen = new Uint8Array(this.count);
    const stack: number[] = [];
    for (const n of from) {
      if (!seen[n]) stack.push(n);
      seen[n] = 1;
    }
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (let e = this.firstEdge[n]; e < this.firstEdge[n + 1]; e += this.edgeFields) {
        if (this.edgeTypes[this.s.edges[e + this.edgeTypeOffset]] === "weak" || skip.has(e)) continue;
        const to = this.s.edges[e + this.edgeToOffset] / this.nodeFields;
        if (seen[to] || !may(to)) continue;
        seen[to] = 1;
        stack.push(to);
      }
    }
    return seen;
  }
}

class Groups {
  private readonly m = new Map<string, { count: number; bytes: number }>();

  add(name: string, bytes: number): void {
    const g = this.m.get(name) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += bytes;
    this.m.set(name, g);
  }

  top(n: number): HeapGroup[] {
    return [...this.m]
      .sort((a, b) => b[1].bytes - a[1].bytes)
      .slice(0, n)
      .map(([name, g]) => ({ name, count: g.count, selfMB: mb(g.bytes) }));
  }
}
