import { parseAlertmanagerWebhook } from "../src/signal/alertmanager";
import { resourceFingerprint } from "../src/dedup/fingerprint";
import { remediationRequestName } from "../src/dedup/naming";
import { newRemediationRequest } from "../src/dedup/new-rr";
import type { NewRemediationRequest } from "../src/model/remediation-request";
import { alert, webhook } from "../test/helpers/signals";

/**
 * The RR the gateway would create for a firing alert on this pod: the same
 * labels, spec and payload size, so raw creates cost what the gateway's do.
 */
export function realisticRR(alertname: string, pod: string): NewRemediationRequest {
  const parsed = parseAlertmanagerWebhook(webhook([alert({ alertname, pod, namespace: "bench" })]));
  const first = parsed.alerts[0];
  if (!first.ok) throw first.error;
  const fingerprint = resourceFingerprint(first.signal);
  return newRemediationRequest({
    name: remediationRequestName(fingerprint),
    signal: first.signal,
    fingerprint,
    strategy: "resource",
    receivedAt: new Date().toISOString(),
  });
}
