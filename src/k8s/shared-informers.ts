import type { KubeClient } from "./kube-client";
import { RemediationRequestClient } from "./rr-client";
import { RemediationRequestInformer, type RemediationRequestInformerOptions } from "./rr-informer";

/**
 * The informers of one process, one per namespace, on one KubeClient (in the
 * manner of client-go's SharedInformerFactory and cert-manager's controller
 * context): every component asks here, so two components watching the same
 * namespace share one list/watch and one store.
 */
export class SharedInformers {
  private readonly informers = new Map<string, RemediationRequestInformer>();

  constructor(readonly kube: KubeClient) {}

  /** The RR informer of a namespace, made on first ask (that caller's options apply; later ones share it as it is). */
  remediationRequests(namespace: string, options: RemediationRequestInformerOptions = {}): RemediationRequestInformer {
    let informer = this.informers.get(namespace);
    if (!informer) this.informers.set(namespace, (informer = new RemediationRequestInformer(new RemediationRequestClient(this.kube, namespace), options)));
    return informer;
  }

  /** Stops every informer; the KubeClient stays open (its owner closes it). */
  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].map(i => i.stop()));
  }
}
