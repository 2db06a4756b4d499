/**
 * The manifest written beside every synthesized service: what was generated, for which target,
 * with content hashes. `validate` reads it to pick the checks for each file; `plan` compares it
 * with the last deployed one; deploy records it.
 */
import type { ArtifactFormat } from '../model/service.ts';

export const MANIFEST_FILE = 'manifest.json';
export const TERRAFORM_FILE = 'terraform/cdk.tf.json';
export const ANSIBLE_PLAYBOOK = 'ansible/playbook.yml';
export const ANSIBLE_INVENTORY = 'ansible/inventory.yml';

export interface ArtifactRecord {
  /** Path inside `dist/<service>/`, e.g. `files/traefik/etc/traefik/traefik.yml`. */
  readonly file: string;
  readonly format: ArtifactFormat | 'terraform-json' | 'ansible-playbook' | 'ansible-inventory';
  /** Where the file goes; absent for artifacts that stay on the deploy machine. */
  readonly target?: { readonly host: string; readonly path: string; readonly mode: string; readonly owner: string };
  readonly secret: boolean;
  readonly sha256: string;
}

export interface UnmeasuredRecord {
  /** Site path of the input, e.g. `nodes.pve2.disks[1].device`. */
  readonly input: string;
  /** What it is and how to measure it. */
  readonly measure: string;
}

export interface ServiceManifest {
  readonly service: string;
  readonly package: string;
  readonly version: string;
  readonly group: string;
  readonly kind: string;
  readonly dependsOn: readonly string[];
  /** Environment variables deploy needs set (secrets and provider settings). */
  readonly env: readonly string[];
  /**
   * Site inputs not measured yet that this service's artifacts need (model/unmeasured.ts): the
   * parts that need them were left out, and deploy refuses the service until they are filled in.
   * Absent when there is none.
   */
  readonly unmeasured?: readonly UnmeasuredRecord[];
  readonly artifacts: readonly ArtifactRecord[];
}
