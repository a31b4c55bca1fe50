import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Agent } from "undici";

/** Certificates for tests, made with openssl (as the build makes the gateway's): CAs, and certificates they sign. */

export interface CertificateFiles {
  crt: string;
  key: string;
}

const openssl = (...args: string[]): void => void execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });

/** A self-signed CA, valid one day, as dir/name.crt and dir/name.key. */
export function createCa(dir: string, name: string): CertificateFiles {
  mkdirSync(dir, { recursive: true });
  const files = { crt: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", `/CN=rrgw-test-${name}`, "-keyout", files.key, "-out", files.crt);
  return files;
}

/** A certificate the CA signs, valid one day; extension: openssl extension lines, e.g. "subjectAltName=IP:127.0.0.1". */
export function issueCertificate(dir: string, name: string, ca: CertificateFiles, extension: string): CertificateFiles {
  const files = { crt: path.join(dir, `${name}.crt`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, `${extension}\n`);
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=rrgw-test-${name}`, "-keyout", files.key, "-out", csr);
  openssl("x509", "-req", "-in", csr, "-CA", ca.crt, "-CAkey", ca.key, "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", files.crt);
  return files;
}

/** What a gateway on loopback serves HTTPS with, and what its clients (tests, Alertmanager) trust. */
export interface LoopbackTls {
  /** The CA Alertmanager's tls_config.ca_file names. */
  caFile: string;
  certFile: string;
  keyFile: string;
  /** An undici dispatcher that trusts the CA, for the tests' own requests (signals, /metrics). */
  dispatcher: Agent;
}

let loopback: LoopbackTls | undefined;

/** A CA and a server certificate for 127.0.0.1 and localhost, made once per test process. */
export function loopbackTls(): LoopbackTls {
  if (loopback) return loopback;
  const dir = mkdtempSync(path.join(tmpdir(), "rrgw-loopback-tls-"));
  const ca = createCa(dir, "ca");
  const server = issueCertificate(dir, "server", ca, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
  loopback = { caFile: ca.crt, certFile: server.crt, keyFile: server.key, dispatcher: new Agent({ connect: { ca: readFileSync(ca.crt) } }) };
  return loopback;
}
