import { readFileSync } from "node:fs";
import path from "node:path";
import { loadYaml } from "@kubernetes/client-node";
import { KUBERNAUT_ADDITIONS } from "../../src/model/kubernaut-additions";

type Obj = Record<string, unknown>;

interface CrdVersion {
  name: string;
  additionalPrinterColumns?: { name: string }[];
  selectableFields?: { jsonPath: string }[];
  schema: { openAPIV3Schema: Obj };
}

export interface Crd {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { versions: CrdVersion[] } & Obj;
}

/** Our RemediationRequest CRD, as in the repository. */
export function ourCrd(repoDir = process.env.RRGW_REPO_DIR ?? process.cwd()): Crd {
  return loadYaml<Crd>(readFileSync(path.join(repoDir, "crds/remediationrequest.yaml"), "utf8"));
}

/**
 * "kubernaut's schema": our CRD minus our additions (src/model/kubernaut-additions.ts),
 * to install in tests that must run as they would beside kubernaut's own CRD.
 */
export function kubernautCrd(repoDir?: string): Crd {
  const crd = structuredClone(ourCrd(repoDir));
  for (const version of crd.spec.versions) {
    for (const field of KUBERNAUT_ADDITIONS.fields) removeField(version.schema.openAPIV3Schema, field.split("."));
    version.additionalPrinterColumns = version.additionalPrinterColumns?.filter(c => !(KUBERNAUT_ADDITIONS.printerColumns as readonly string[]).includes(c.name));
    version.selectableFields = version.selectableFields?.filter(f => !KUBERNAUT_ADDITIONS.selectableFields.includes(f.jsonPath));
  }
  return crd;
}

function removeField(schema: Obj, keys: string[]): void {
  const [key, ...rest] = keys;
  const properties = schema.properties as Record<string, Obj> | undefined;
  if (!properties?.[key]) throw new Error(`kubernaut-additions lists ${keys.join(".")}, which our CRD does not declare`);
  if (rest.length === 0) delete properties[key];
  else removeField(properties[key], rest);
}
