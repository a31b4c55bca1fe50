import { setTimeout as sleep } from "node:timers/promises";
import { ALL_FEATURES_ON, featuresOf, type DeclaredSchema, type FeatureSet } from "../model/schema-features";
import { RR_GROUP, RR_PLURAL, RR_VERSION } from "../model/remediation-request";
import { ForbiddenError, NotFoundError, UnavailableError } from "./errors";
import type { KubeClient } from "./kube-client";

export const RR_CRD_NAME = `${RR_PLURAL}.${RR_GROUP}`;

/** What the installed RemediationRequest CRD allows, or why it is not known. */
export type SchemaFeatures = { known: true; features: FeatureSet } | { known: false; features: FeatureSet; reason: string };

interface CrdObject {
  spec?: { versions?: { name: string; schema?: { openAPIV3Schema?: DeclaredSchema } }[] };
}

/**
 * Reads the installed RemediationRequest CRD and tells which optional
 * features its schema has room for (src/model/schema-features.ts). Waits for
 * an unreachable API server (the gateway is not ready before anyway); a CRD
 * it may not read (no RBAC for customresourcedefinitions) or that is not
 * installed leaves every feature on, with the reason, since rr-gateway's CRD
 * is what its install applies.
 */
export async function readSchemaFeatures(kube: KubeClient, options: { stopped?: AbortSignal; retryMs?: number } = {}): Promise<SchemaFeatures> {
  for (;;) {
    try {
      const crd = await kube.request<CrdObject>({
        method: "GET",
        path: `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${RR_CRD_NAME}`,
        what: `read CustomResourceDefinition ${RR_CRD_NAME}`,
      });
      const schema = crd.spec?.versions?.find(v => v.name === RR_VERSION)?.schema?.openAPIV3Schema;
      if (!schema) return { known: false, features: ALL_FEATURES_ON, reason: `the installed CRD ${RR_CRD_NAME} has no ${RR_VERSION} schema` };
      return { known: true, features: featuresOf(schema) };
    } catch (err) {
      if (err instanceof ForbiddenError) return { known: false, features: ALL_FEATURES_ON, reason: `may not read CustomResourceDefinition ${RR_CRD_NAME} (RBAC: get customresourcedefinitions)` };
      if (err instanceof NotFoundError) return { known: false, features: ALL_FEATURES_ON, reason: `CustomResourceDefinition ${RR_CRD_NAME} is not installed` };
      if (!(err instanceof UnavailableError) || options.stopped?.aborted) throw err;
      await sleep(options.retryMs ?? 1_000);
    }
  }
}
