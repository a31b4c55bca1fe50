import { readFileSync } from "node:fs";
import path from "node:path";
import { loadYaml } from "@kubernetes/client-node";
import type { Schema } from "./crd-schema";

/**
 * "kubernaut's schema": our CRD (crds/remediationrequest.yaml) minus
 * rr-gateway's additions listed in crds/additions.json, which is kubernaut's
 * own RemediationRequest CRD. Tests install it (or validate against it) to
 * prove a component writes nothing kubernaut's CRD would refuse or prune.
 *
 * additions.json:
 *   fields            dotted paths under openAPIV3Schema.properties
 *                     ("status.stormAggregation" → properties.status.properties.stormAggregation);
 *   printerColumns    names of additionalPrinterColumns to drop;
 *   selectableFields  jsonPaths of selectableFields to drop.
 *
 * Pure: reads the two files, returns a new CRD object, changes nothing on disk.
 */

export interface Additions {
  fields: string[];
  printerColumns: string[];
  selectableFields: string[];
}

/** The parts of a CRD this helper touches; everything else is carried over as read. */
export interface CustomResourceDefinition {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [key: string]: unknown };
  spec: {
    versions: {
      name: string;
      schema: { openAPIV3Schema: Schema };
      additionalPrinterColumns?: { name: string; [key: string]: unknown }[];
      selectableFields?: { jsonPath: string }[];
      [key: string]: unknown;
    }[];
    [key: string]: unknown;
  };
}

export function readAdditions(repoDir = defaultRepoDir()): Additions {
  const raw = JSON.parse(readFileSync(path.join(repoDir, "crds/additions.json"), "utf8")) as Partial<Additions>;
  return { fields: raw.fields ?? [], printerColumns: raw.printerColumns ?? [], selectableFields: raw.selectableFields ?? [] };
}

export function ourCrd(repoDir = defaultRepoDir()): CustomResourceDefinition {
  return loadYaml<CustomResourceDefinition>(readFileSync(path.join(repoDir, "crds/remediationrequest.yaml"), "utf8"));
}

/** kubernaut's RemediationRequest CRD, derived from ours. Throws when additions.json names something our CRD does not have (a stale list). */
export function kubernautCrd(repoDir = defaultRepoDir()): CustomResourceDefinition {
  return withoutAdditions(ourCrd(repoDir), readAdditions(repoDir));
}

/** The pure core: a copy of crd without the additions, in every version. */
export function withoutAdditions(crd: CustomResourceDefinition, additions: Additions): CustomResourceDefinition {
  const copy = structuredClone(crd);
  for (const version of copy.spec.versions) {
    for (const field of additions.fields) removeField(version.schema.openAPIV3Schema, field);
    for (const column of additions.printerColumns) {
      const columns = version.additionalPrinterColumns ?? [];
      if (!columns.some(c => c.name === column)) throw new Error(`crds/additions.json: printer column ${JSON.stringify(column)} is not in version ${version.name} of the CRD`);
      version.additionalPrinterColumns = columns.filter(c => c.name !== column);
    }
    for (const jsonPath of additions.selectableFields) {
      const fields = version.selectableFields ?? [];
      if (!fields.some(f => f.jsonPath === jsonPath)) throw new Error(`crds/additions.json: selectable field ${JSON.stringify(jsonPath)} is not in version ${version.name} of the CRD`);
      version.selectableFields = fields.filter(f => f.jsonPath !== jsonPath);
    }
  }
  return copy;
}

/** kubernaut's openAPIV3Schema of the RR (first version), for validating values without a server. */
export function kubernautSchema(repoDir = defaultRepoDir()): Schema {
  return kubernautCrd(repoDir).spec.versions[0].schema.openAPIV3Schema;
}

function removeField(root: Schema, dotted: string): void {
  const parts = dotted.split(".");
  let schema: Schema | undefined = root;
  for (const part of parts.slice(0, -1)) schema = schema?.properties?.[part];
  const last = parts[parts.length - 1];
  if (!schema?.properties || !(last in schema.properties)) throw new Error(`crds/additions.json: field ${JSON.stringify(dotted)} is not in the CRD's schema`);
  delete schema.properties[last];
  if (schema.required) schema.required = schema.required.filter(r => r !== last);
}

function defaultRepoDir(): string {
  return process.env.RRGW_REPO_DIR ?? process.cwd();
}
