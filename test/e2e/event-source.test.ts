import type { RemediationRequest } from "../../src/model/remediation-request";
import { scrapeSum } from "../helpers/metrics";
import { kubectl } from "../integration/helpers/controlplane";
import { TestEnvironment } from "../integration/helpers/environment";
import { GatewayProcess, startGatewayProcess } from "../integration/helpers/gateway-process";
import { eventuallyShowing } from "./helpers/eventually";

/**
 * End to end: the gateway runs as its own process with the built-in event
 * source on (as installed: GATEWAY_AUTH=kubernetes, GATEWAY_SCOPE=managed-label),
 * a Warning event is created with `kubectl create -f -` (what npm run dev
 * prints), and `kubectl get rr` shows the RR it became, counting each
 * occurrence once.
 */
const env = new TestEnvironment();
let rrNamespace: string;
let eventNamespace: string;
/** Watched too, but not labelled kubernaut.ai/managed=true. */
let unmanagedNamespace: string;
let gateway: GatewayProcess;

beforeAll(async () => {
  [rrNamespace, eventNamespace, unmanagedNamespace] = await Promise.all([env.freshNamespace("e2e-events-rrs"), env.freshNamespace("e2e-events"), env.freshNamespace("e2e-events-unmanaged")]);
  kubectl("admin", ["label", "namespace", eventNamespace, "kubernaut.ai/managed=true"]);
  gateway = await startGatewayProcess(rrNamespace, {
    GATEWAY_AUTH: "kubernetes",
    GATEWAY_SCOPE: "managed-label",
    EVENT_SOURCE_ENABLED: "true",
    // Other test files write events on the same control plane: this gateway records this file's only.
    EVENT_SOURCE_NAMESPACES: `${eventNamespace},${unmanagedNamespace}`,
    LOG_LEVEL: "warn",
  });
}, 120_000);

afterAll(async () => {
  await gateway?.kill();
  await env.close();
});

const eventually = eventuallyShowing(() => ({ gateway }), { timeoutMs: 30_000, intervalMs: 250 });

function rrsAbout(pod: string): RemediationRequest[] {
  const list = JSON.parse(kubectl("admin", ["get", "rr", "-n", rrNamespace, "-o", "json"])) as { items: RemediationRequest[] };
  return list.items.filter(rr => rr.spec.targetResource.name === pod);
}

const warningEvent = (pod: string): string => `apiVersion: v1
kind: Event
metadata: { generateName: ${pod}., namespace: ${eventNamespace} }
involvedObject: { apiVersion: v1, kind: Pod, name: ${pod}, namespace: ${eventNamespace} }
type: Warning
reason: BackOff
message: Back-off restarting failed container cart in pod ${pod}
count: 1
source: { component: kubelet }
`;

it("shows an RR in kubectl get rr for a Warning event created with kubectl, and counts a second one on it", async () => {
  const pod = "cart-5c7b9-k2m8q";
  kubectl("admin", ["create", "-f", "-"], warningEvent(pod));
  const [rr] = await eventually("an RR for the event", () => (rrsAbout(pod).length > 0 ? rrsAbout(pod) : undefined));
  expect(rr.spec).toMatchObject({ signalName: "BackOff", signalSource: "kubernetes-events", targetResource: { kind: "Pod", name: pod, namespace: eventNamespace } });
  expect(kubectl("admin", ["get", "rr", "-n", rrNamespace])).toContain(rr.metadata.name);

  kubectl("admin", ["create", "-f", "-"], warningEvent(pod));
  await eventually("the second occurrence on the same RR", () => {
    const rrs = rrsAbout(pod);
    return rrs.length === 1 && rrs[0].status?.deduplication?.occurrenceCount === 2 ? rrs : undefined;
  });
}, 60_000);

it("records nothing for an event whose namespace is outside kubernaut's scope (GATEWAY_SCOPE=managed-label)", async () => {
  const pod = "cart-unmanaged";
  const unmanaged = (): Promise<number> => scrapeSum(gateway.url, "rr_gateway_event_source_signals_total", 'outcome="unmanaged"');
  const before = await unmanaged();
  kubectl("admin", ["create", "-f", "-"], warningEvent(pod).replaceAll(eventNamespace, unmanagedNamespace));
  await eventually("the event judged out of scope", async () => (await unmanaged()) > before);
  expect(rrsAbout(pod)).toEqual([]);
});
