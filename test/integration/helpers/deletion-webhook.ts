import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import type { ChainSafety } from "../../../src/dedup/chain-safety";
import type { KubeClient } from "../../../src/k8s/kube-client";
import type { RemediationRequest } from "../../../src/model/remediation-request";
import { deletionProblem } from "../../../src/module/deletion-guard";

/**
 * The module's deletion guard (src/module/deletion-guard.ts, what
 * capabilities/gateway.ts binds to RR deletions) served as a real admission
 * webhook on loopback HTTPS, registered with the API server for one namespace
 * (failurePolicy Fail, as the built module's). Pepr's own server is left out:
 * the build test runs the bundle.
 */
export class DeletionWebhook {
  private constructor(
    private readonly server: Server,
    private readonly admin: KubeClient,
    readonly name: string,
    private readonly dir: string,
  ) {}

  static async start(admin: KubeClient, namespace: string, safety: ChainSafety): Promise<DeletionWebhook> {
    const dir = mkdtempSync(path.join(os.tmpdir(), "rrgw-webhook-"));
    const ssl = (...args: string[]): void => void execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
    ssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=rrgw-test-ca", "-keyout", "ca.key", "-out", "ca.crt");
    ssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", "tls.key", "-out", "tls.csr");
    execFileSync("bash", ["-c", "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext"], { cwd: dir });
    ssl("x509", "-req", "-in", "tls.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "1", "-extfile", "san.ext", "-out", "tls.crt");
    const server = createServer({ key: readFileSync(path.join(dir, "tls.key")), cert: readFileSync(path.join(dir, "tls.crt")) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", c => chunks.push(c));
      req.on("end", () => {
        const review = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const problem = deletionProblem(review.request.oldObject as RemediationRequest, Date.now(), safety);
        const response = { uid: review.request.uid, allowed: !problem, ...(problem ? { status: { code: 403, message: problem } } : {}) };
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response }));
      });
    });
    await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const name = `rrgw-deletion-guard-${namespace}`;
    await admin.request({
      method: "POST",
      path: "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
      what: `register ${name}`,
      body: {
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name },
        webhooks: [
          {
            name: "deletion.rr-gateway.test",
            admissionReviewVersions: ["v1"],
            clientConfig: { url: `https://127.0.0.1:${port}/validate`, caBundle: readFileSync(path.join(dir, "ca.crt")).toString("base64") },
            failurePolicy: "Fail",
            sideEffects: "None",
            timeoutSeconds: 5,
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
            rules: [{ apiGroups: ["kubernaut.ai"], apiVersions: ["v1alpha1"], operations: ["DELETE"], resources: ["remediationrequests"] }],
          },
        ],
      },
    });
    return new DeletionWebhook(server, admin, name, dir);
  }

  async stop(): Promise<void> {
    await this.admin.request({ method: "DELETE", path: `/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${this.name}`, what: `unregister ${this.name}` }).catch(() => undefined);
    await new Promise<void>(resolve => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
