import fc from "fast-check";

/**
 * fast-check generators of signal payloads for the fuzz tests: valid ones,
 * near-valid ones (a valid payload with a few fields broken), and hostile
 * ones (wrong types, huge strings, odd Unicode, prototype-pollution keys,
 * deep nesting). Everything is plain JSON data: what a sender can put on the wire.
 */

const TARGET_LABELS = ["pod", "deployment", "statefulset", "daemonset", "replicaset", "job", "cronjob", "node", "service", "persistentvolumeclaim"];
export const HOSTILE_KEYS = ["__proto__", "constructor", "prototype", "toString", "valueOf", "hasOwnProperty", "__defineGetter__", "then"];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map(c => String.fromCharCode(c));

/** Strings just over each limit the gateway or the CRD has, and some far over. */
const hugeString = fc
  .tuple(fc.constantFrom(64, 254, 318, 1_025, 4_097, 20_000, 70_000), fc.constantFrom("x", "é", "🔥", "\u0000", "a\ud800"))
  .map(([n, unit]) => unit.repeat(Math.ceil(n / unit.length)));

export const weirdString: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 20, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
  { weight: 15, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
  { weight: 10, arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, fc.constantFrom("a", "\u0000", "\u202e", "🔥", "\\", '"')), maxLength: 12 }) },
  { weight: 15, arbitrary: fc.constantFrom("", " ", "null", "0001-01-01T00:00:00Z", "firing", "resolved", "Warning", "Normal", ...HOSTILE_KEYS) },
  { weight: 2, arbitrary: hugeString },
);

const wrongType: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof({ weight: 3, arbitrary: weirdString }, { weight: 2, arbitrary: wrongType });

const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_KEYS) },
  { weight: 3, arbitrary: fc.constantFrom(...TARGET_LABELS, "alertname", "namespace", "severity", "status", "alerts", "labels", "annotations") },
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom("", "k".repeat(318), "\ud800", "a.b/c") },
);

const dnsName = fc.stringMatching(/^[a-z0-9]([-a-z0-9]{0,14}[a-z0-9])?$/);
/** A few names reused often, so that valid payloads also hit existing problems (duplicates). */
const objectName = fc.oneof({ weight: 1, arbitrary: fc.constantFrom("web-0", "web-1", "db-0") }, { weight: 3, arbitrary: dnsName });
const labelName = fc.stringMatching(/^[a-z][a-z0-9_]{0,15}$/);
const timestamp = fc.oneof(
  fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("2100-01-01T00:00:00Z"), noInvalidDate: true }).map(d => d.toISOString()),
  fc.constantFrom("0001-01-01T00:00:00Z", "2026-11-28T07:00:00.123456789Z", "2026-11-28T07:00:00+05:30"),
);

type Json = Record<string, unknown>;

export const validAlert: fc.Arbitrary<Json> = fc
  .record({
    status: fc.constantFrom("firing", "firing", "resolved"),
    alertname: fc.oneof(fc.constantFrom("HighMemory", "DiskFull", "CrashLoop"), fc.string({ minLength: 1, maxLength: 40 })),
    target: fc.constantFrom(...TARGET_LABELS),
    targetName: objectName,
    namespace: objectName,
    severity: fc.constantFrom("critical", "warning", "info", "P1 (page!)"),
    extra: fc.dictionary(labelName, fc.string({ maxLength: 40 }), { maxKeys: 6 }),
    annotations: fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 300 }), { maxKeys: 4 }),
    startsAt: timestamp,
    fingerprint: fc.stringMatching(/^[0-9a-f]{16}$/),
  })
  .map(a => ({
    status: a.status,
    labels: { ...a.extra, alertname: a.alertname, [a.target]: a.targetName, namespace: a.namespace, severity: a.severity },
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "http://prometheus.local/graph",
    fingerprint: a.fingerprint,
  }));

export const validWebhook: fc.Arbitrary<Json> = fc
  .record({
    groupKey: fc.string({ maxLength: 60 }),
    receiver: fc.oneof(fc.constant("rr-gateway"), weirdString),
    alerts: fc.array(validAlert, { minLength: 1, maxLength: 6 }),
    truncatedAlerts: fc.nat(3),
  })
  .map(w => ({
    version: "4",
    groupKey: w.groupKey,
    truncatedAlerts: w.truncatedAlerts,
    status: w.alerts.every(a => a.status === "resolved") ? "resolved" : "firing",
    receiver: w.receiver,
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: "http://alertmanager.local",
    alerts: w.alerts,
  }));

export const validEvent: fc.Arbitrary<Json> = fc
  .record({
    reason: fc.oneof(fc.constantFrom("BackOff", "OOMKilling", "FailedMount"), fc.string({ minLength: 1, maxLength: 40 })),
    kind: fc.constantFrom("Pod", "Deployment", "Node", "PersistentVolumeClaim"),
    name: objectName,
    namespace: objectName,
    message: fc.string({ maxLength: 300 }),
    count: fc.nat(1_000),
    firstTimestamp: timestamp,
    uid: fc.uuid(),
  })
  .map(e => ({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${e.name}.abc`, namespace: e.namespace, uid: e.uid },
    type: "Warning",
    reason: e.reason,
    message: e.message,
    involvedObject: { apiVersion: "v1", kind: e.kind, name: e.name, namespace: e.namespace },
    source: { component: "kubelet" },
    firstTimestamp: e.firstTimestamp,
    count: e.count,
  }));

/** One change that breaks a valid payload somewhere. */
interface Mutation {
  where: "payload" | "alert" | "labels" | "annotations" | "involvedObject" | "metadata";
  index: number;
  key: string;
  op: "set" | "delete" | "many";
  value: unknown;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  where: fc.constantFrom("payload", "alert", "labels", "labels", "annotations", "involvedObject", "metadata"),
  index: fc.nat(10),
  key: hostileKey,
  op: fc.constantFrom("set", "set", "set", "delete", "many"),
  value: hostileValue,
});

/** A deep copy that keeps keys such as "__proto__" as plain data (JSON semantics). */
const copy = (value: unknown): Json => JSON.parse(JSON.stringify(value)) as Json;

function setKey(target: Json, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function mutate(payload: Json, m: Mutation): Json {
  const alerts = Array.isArray(payload.alerts) ? (payload.alerts as unknown[]) : [];
  const alert = alerts.length > 0 ? alerts[m.index % alerts.length] : undefined;
  const objectAt = (parent: unknown, key: string): Json | undefined => {
    const value = typeof parent === "object" && parent !== null ? (parent as Json)[key] : undefined;
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
  };
  const targets: Record<Mutation["where"], Json | undefined> = {
    payload,
    alert: objectAt({ a: alert }, "a"),
    labels: objectAt(alert, "labels") ?? objectAt(payload, "labels"),
    annotations: objectAt(alert, "annotations"),
    involvedObject: objectAt(payload, "involvedObject"),
    metadata: objectAt(payload, "metadata"),
  };
  const target = targets[m.where] ?? payload;
  if (m.op === "delete") delete target[m.key];
  else if (m.op === "set") setKey(target, m.key, m.value);
  else if (m.where === "payload" && alerts.length > 0) payload.alerts = Array.from({ length: 101 + m.index }, () => alerts[0]);
  else for (let i = 0; i < 65 + m.index; i++) setKey(target, `k${i}`, typeof m.value === "string" ? m.value : `v${i}`);
  return payload;
}

const nearValid = (valid: fc.Arbitrary<Json>): fc.Arbitrary<Json> =>
  fc.tuple(valid, fc.array(mutation, { minLength: 1, maxLength: 3 })).map(([payload, mutations]) => mutations.reduce(mutate, copy(payload)));

/** Nesting n levels deep, in objects or arrays. */
const deep = fc.tuple(fc.integer({ min: 1, max: 200 }), fc.boolean()).map(([n, arrays]) => {
  let value: unknown = "bottom";
  for (let i = 0; i < n; i++) value = arrays ? [value] : { alerts: value };
  return value;
});

const hostile: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  deep,
  hostileValue,
  fc.dictionary(hostileKey, hostileValue, { maxKeys: 8 }),
  fc.record({ alerts: fc.array(fc.oneof(hostileValue, fc.dictionary(hostileKey, hostileValue, { maxKeys: 6 })), { maxLength: 5 }) }),
  fc.record({ type: fc.constant("Warning"), reason: hostileValue, involvedObject: fc.oneof(hostileValue, fc.dictionary(hostileKey, hostileValue, { maxKeys: 5 })) }),
);

/** Alertmanager webhook bodies: 30% valid, 45% near-valid, 25% hostile. */
export const webhookPayload: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 30, arbitrary: validWebhook },
  { weight: 45, arbitrary: nearValid(validWebhook) },
  { weight: 25, arbitrary: hostile },
);

/** Kubernetes event bodies, in the same proportions. */
export const eventPayload: fc.Arbitrary<unknown> = fc.oneof({ weight: 30, arbitrary: validEvent }, { weight: 45, arbitrary: nearValid(validEvent) }, { weight: 25, arbitrary: hostile });

/** A body as a sender could write it: usually the JSON of a payload, sometimes broken JSON text. */
export const bodyText = (payload: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.oneof(
    { weight: 9, arbitrary: payload.map(p => JSON.stringify(p) ?? "null") },
    {
      weight: 1,
      arbitrary: fc.tuple(payload, fc.nat(), fc.constantFrom("", "}", "\u0000", "{{", '"', "\ud800")).map(([p, cut, junk]) => {
        const text = JSON.stringify(p) ?? "";
        return text.slice(0, text.length > 0 ? cut % text.length : 0) + junk;
      }),
    },
  );
