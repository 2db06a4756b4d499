/**
 * What deploy needs to know of one synthesized service: its manifest, where its dist directory
 * is, which environment variables must be set (and why), which tools it needs and where its
 * smoke tests are. Built from a synth result; the runner itself never reads a package.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Homelab } from '../model/homelab.ts';
import type { BackendKind } from '../proxmox/backend.ts';
import { findLookupReferences } from '../render/secrets.ts';
import { ANSIBLE_PLAYBOOK, TERRAFORM_FILE, type ServiceManifest } from '../synth/manifest.ts';
import type { SynthResult } from '../synth/synth-service.ts';
import { tokenIssuer, PROVIDER_TOKEN_OUTPUT } from '../model/provider-token.ts';
import type { ProviderTokenRole } from './provider-token.ts';
import { backendKindOf } from './terraform-state.ts';

export interface EnvRequirement {
  readonly name: string;
  /** What the variable is, for the error that names it. */
  readonly description: string;
  /** The step that reads it. */
  readonly step: 'infra' | 'config';
  /**
   * Deploy supplies it when the operator has not (the Proxmox token, from the token stack's
   * output): preflight checks it apart (deploy/provider-token.ts), not as a missing variable.
   */
  readonly supplied?: 'provider-token';
}

export interface DeployUnit {
  readonly service: string;
  readonly manifest: ServiceManifest;
  /** Absolute `dist/<service>/`. */
  readonly distDir: string;
  /** Every variable that must be set and non-empty before anything runs. Sorted by name. */
  readonly env: readonly EnvRequirement[];
  /** A Terraform stack (`terraform/cdk.tf.json`) to init, plan and apply. */
  readonly infra: boolean;
  /** Every Terraform variable the stack declares (with a default or not): its tools get only these TF_VAR_*. */
  readonly terraformVariables?: readonly string[];
  /** The Terraform backend the stack declares. @default 'local' */
  readonly backend?: BackendKind;
  /** An Ansible playbook (`ansible/playbook.yml`) to run. */
  readonly config: boolean;
  /** Talos machine configs among the artifacts: needs talosctl. */
  readonly talos: boolean;
  /** Workspace-relative directory of the package's smoke tests, when it has one. */
  readonly smokeDir?: string;
  /** The stack creates the Proxmox token (admin credential) or uses it; absent without Proxmox. */
  readonly providerToken?: ProviderTokenRole;
  /** Variables of the deploy environment none of this service's tools may receive (the administrator token). */
  readonly withheldEnv?: readonly string[];
}

interface TerraformVariables {
  readonly variable?: Readonly<Record<string, { readonly default?: unknown; readonly description?: string }>>;
}

/** Every variable the stack declares. */
export function declaredTerraformVariables(cdkTfJson: string): string[] {
  return Object.keys((JSON.parse(cdkTfJson) as TerraformVariables).variable ?? {}).sort();
}

/** Terraform variables without a default: they must come from `TF_VAR_<name>` (deploy runs with -input=false). */
export function requiredTerraformVariables(cdkTfJson: string): EnvRequirement[] {
  const tf = JSON.parse(cdkTfJson) as TerraformVariables;
  return Object.entries(tf.variable ?? {})
    .filter(([, v]) => !('default' in v))
    .map(([name, v]) => ({ name: `TF_VAR_${name}`, description: `Terraform variable ${name}${v.description ? `: ${v.description}` : ''}`, step: 'infra' as const }));
}

export interface DeployUnitContext {
  readonly home: Homelab;
  /** Workspace root (for the smoke directory). */
  readonly root: string;
  /** Absolute dist root; the unit's directory is `<distRoot>/<service>`. */
  readonly distRoot: string;
}

export function deployUnitFromSynth(result: SynthResult, ctx: DeployUnitContext): DeployUnit {
  const { manifest } = result;
  const service = ctx.home.byName.get(result.service);
  const providerEnv = ctx.home.site.providerEnv;
  const env = new Map<string, EnvRequirement>();
  const add = (r: EnvRequirement): void => {
    if (!env.has(r.name)) env.set(r.name, r);
  };
  const issuer = tokenIssuer(ctx.home.services)?.name;
  const names = { tokenEnv: providerEnv.apiToken, adminEnv: providerEnv.adminApiToken };
  const providerToken: ProviderTokenRole | undefined = manifest.env.includes(providerEnv.adminApiToken)
    ? { role: 'issues', ...names, output: PROVIDER_TOKEN_OUTPUT }
    : manifest.env.includes(providerEnv.apiToken) ? { role: 'uses', ...names, ...(issuer ? { issuer } : {}) } : undefined;
  for (const name of manifest.env) {
    if (name === providerEnv.endpoint) add({ name, description: 'Proxmox API endpoint (provider)', step: 'infra' });
    else if (name === providerEnv.apiToken) add({ name, description: `Proxmox API token (provider), created by ${issuer ?? 'the hypervisor stack'}`, step: 'infra', supplied: 'provider-token' });
    else if (name === providerEnv.adminApiToken) add({ name, description: 'Proxmox administrator API token (e.g. root@pam!homelab): only this stack, which creates the Terraform role, user and token', step: 'infra' });
    else {
      const secret = service?.secrets.find((s) => s.env === name);
      add({ name, description: secret ? `secret: ${secret.description}` : 'secret', step: 'config' });
    }
  }
  // Files that Ansible templates read these on the deploy machine; an unset one becomes "" silently.
  for (const [path, content] of result.files) {
    if (!path.startsWith('files/')) continue;
    for (const name of findLookupReferences(content)) add({ name, description: `read by ${path}`, step: 'config' });
  }
  const tf = result.files.get(TERRAFORM_FILE);
  if (tf !== undefined) for (const r of requiredTerraformVariables(tf)) add(r);
  const smokeDir = service ? `${service.pkg.dir}/smoke` : undefined;
  return {
    service: result.service,
    manifest,
    distDir: join(ctx.distRoot, result.service),
    env: [...env.values()].sort((a, b) => a.name.localeCompare(b.name)),
    infra: manifest.artifacts.some((a) => a.file === TERRAFORM_FILE),
    ...(tf !== undefined ? { backend: backendKindOf(tf), terraformVariables: declaredTerraformVariables(tf) } : {}),
    config: manifest.artifacts.some((a) => a.file === ANSIBLE_PLAYBOOK),
    talos: manifest.artifacts.some((a) => a.format === 'talos-config'),
    ...(smokeDir && existsSync(join(ctx.root, smokeDir)) ? { smokeDir } : {}),
    ...(providerToken ? { providerToken } : {}),
    ...(providerEnv.adminApiToken ? { withheldEnv: [providerEnv.adminApiToken] } : {}),
  };
}
