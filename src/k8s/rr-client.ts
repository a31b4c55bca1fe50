import {
  NewRemediationRequest,
  RemediationRequest,
  RR_API_VERSION,
  RR_GROUP,
  RR_KIND,
  RR_PLURAL,
  RR_VERSION,
  StatusSection,
} from "../model/remediation-request";
import { FieldManager } from "./field-managers";
import { KubeClient } from "./kube-client";

export type { NewRemediationRequest };

export const APPLY_PATCH = "application/apply-patch+yaml";

export interface RemediationRequestList {
  items: RemediationRequest[];
  metadata: { resourceVersion?: string };
}

export interface ApplyStatusOptions {
  /** Required: every writer names itself, so the API server can enforce ownership. */
  fieldManager: FieldManager;
  /** Precondition: the write fails with a stale ConflictError if the RR changed since this version. */
  resourceVersion?: string;
}

/**
 * Typed access to RemediationRequests in one namespace. Writes always carry a
 * field manager; applies are never forced.
 */
export class RemediationRequestClient {
  constructor(
    readonly kube: KubeClient,
    readonly namespace: string,
  ) {}

  collectionPath(): string {
    return `/apis/${RR_GROUP}/${RR_VERSION}/namespaces/${encodeURIComponent(this.namespace)}/${RR_PLURAL}`;
  }

  private objectPath(name: string): string {
    return `${this.collectionPath()}/${encodeURIComponent(name)}`;
  }

  /**
   * Creates an RR with a POST, so a taken name fails with AlreadyExistsError
   * (an apply would silently merge into the existing object). The API server
   * drops `status` on create: write it afterwards with applyStatus.
   */
  create(rr: NewRemediationRequest, fieldManager: FieldManager): Promise<RemediationRequest> {
    return this.kube.request({
      method: "POST",
      path: this.collectionPath(),
      query: { fieldManager },
      body: { apiVersion: RR_API_VERSION, kind: RR_KIND, metadata: { ...rr.metadata, namespace: this.namespace }, spec: rr.spec },
      what: `create RemediationRequest ${this.namespace}/${rr.metadata.name}`,
    });
  }

  get(name: string): Promise<RemediationRequest> {
    return this.kube.request({ method: "GET", path: this.objectPath(name), what: `get RemediationRequest ${this.namespace}/${name}` });
  }

  list(selectors: { fieldSelector?: string; labelSelector?: string } = {}): Promise<RemediationRequestList> {
    return this.kube.request({
      method: "GET",
      path: this.collectionPath(),
      query: selectors,
      what: `list RemediationRequests in ${this.namespace}`,
    });
  }

  /** All RRs of one problem, straight from the API server (field selector on spec.signalFingerprint). */
  async listByFingerprint(fingerprint: string): Promise<RemediationRequest[]> {
    const list = await this.list({ fieldSelector: `spec.signalFingerprint=${fingerprint}` });
    return list.items;
  }

  /**
   * Server-side applies one status section to the status subresource. Send the
   * whole section the manager owns: a field left out is a field given up.
   */
  applyStatus(name: string, section: StatusSection, options: ApplyStatusOptions): Promise<RemediationRequest> {
    const metadata: Record<string, string> = { name, namespace: this.namespace };
    if (options.resourceVersion) metadata.resourceVersion = options.resourceVersion;
    return this.kube.request({
      method: "PATCH",
      path: `${this.objectPath(name)}/status`,
      query: { fieldManager: options.fieldManager, force: "false" },
      contentType: APPLY_PATCH,
      body: { apiVersion: RR_API_VERSION, kind: RR_KIND, metadata, status: section },
      what: `apply status of RemediationRequest ${this.namespace}/${name} as ${options.fieldManager}`,
    });
  }

  /**
   * Sets one annotation with a JSON merge patch (a PATCH of an RR that is gone
   * fails with NotFound; it never creates one), under the resourceVersion
   * precondition: a stale ConflictError if the RR changed since.
   */
  annotate(name: string, annotations: Record<string, string>, options: { fieldManager: FieldManager; resourceVersion: string }): Promise<RemediationRequest> {
    return this.kube.request({
      method: "PATCH",
      path: this.objectPath(name),
      query: { fieldManager: options.fieldManager },
      contentType: "application/merge-patch+json",
      body: { metadata: { resourceVersion: options.resourceVersion, annotations } },
      what: `annotate RemediationRequest ${this.namespace}/${name} as ${options.fieldManager}`,
    });
  }

  delete(name: string): Promise<unknown> {
    return this.kube.request({ method: "DELETE", path: this.objectPath(name), what: `delete RemediationRequest ${this.namespace}/${name}` });
  }
}
