/**
 * The gateway's serving certificate for the deployed install: a CA made for
 * this build and a certificate it signs for the rr-gateway Service's DNS
 * names, in the Secret rr-gateway-tls (tls.crt, tls.key, ca.crt) that
 * hack/fold-manifests.ts adds to the install. Alertmanager trusts ca.crt
 * (tls_config.ca_file). Made with openssl at build time, as `pepr build` makes
 * its webhook certificate; valid one year, as Pepr's (docs/deploy.md says how
 * to rotate it or supply one's own).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export const GATEWAY_TLS_SECRET = "rr-gateway-tls";
export const GATEWAY_SERVICE_DNS_NAMES = ["rr-gateway.pepr-system.svc", "rr-gateway.pepr-system.svc.cluster.local", "rr-gateway.pepr-system", "rr-gateway"];
const VALID_DAYS = "365";

export interface GatewayCertificate {
  /** PEM. */
  caCrt: string;
  tlsCrt: string;
  tlsKey: string;
}

export class OpensslError extends Error {
  constructor(args: string[], cause: unknown) {
    const stderr = (cause as { stderr?: Buffer }).stderr?.toString().trim();
    super(`openssl ${args[0]} failed${stderr ? `: ${stderr}` : ""}; the build needs openssl (1.1.1 or later) on PATH to make the gateway's certificate`);
    this.name = "OpensslError";
  }
}

function openssl(args: string[]): void {
  try {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    throw new OpensslError(args, err);
  }
}

/** A new CA and a serving certificate it signs for the rr-gateway Service. */
export function generateGatewayCertificate(dnsNames: string[] = GATEWAY_SERVICE_DNS_NAMES): GatewayCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), "rr-gateway-tls-"));
  const file = (name: string): string => path.join(dir, name);
  try {
    openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", VALID_DAYS, "-subj", "/CN=rr-gateway-ca", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", file("ca.key"), "-out", file("ca.crt")]);
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${dnsNames[0]}`, "-keyout", file("tls.key"), "-out", file("tls.csr")]);
    writeFileSync(file("tls.ext"), `subjectAltName=${dnsNames.map(n => `DNS:${n}`).join(",")}\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n`);
    openssl(["x509", "-req", "-in", file("tls.csr"), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", VALID_DAYS, "-extfile", file("tls.ext"), "-out", file("tls.crt")]);
    return { caCrt: readFileSync(file("ca.crt"), "utf8"), tlsCrt: readFileSync(file("tls.crt"), "utf8"), tlsKey: readFileSync(file("tls.key"), "utf8") };
  } finally {
    // The CA's key is not kept: nothing else is ever signed with it.
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Secret the admission Deployment mounts (kubernetes.io/tls, plus ca.crt as cert-manager writes it). */
export function gatewayTlsSecret(cert: GatewayCertificate): Record<string, unknown> {
  const b64 = (pem: string): string => Buffer.from(pem).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: GATEWAY_TLS_SECRET, namespace: "pepr-system", labels: { "app.kubernetes.io/name": "rr-gateway", "app.kubernetes.io/component": "gateway" } },
    type: "kubernetes.io/tls",
    data: { "tls.crt": b64(cert.tlsCrt), "tls.key": b64(cert.tlsKey), "ca.crt": b64(cert.caCrt) },
  };
}
