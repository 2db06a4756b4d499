/**
 * One Terraform stack (own state) per service. Returns the Terraform JSON document, with keys
 * sorted so that the same inputs give byte-identical output.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Construct, LocalBackend, TerraformStack, TerraformVariable } from './cdktf.ts';
import type { NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { containerConfig, vmConfig, type GuestContext } from './guest-config.ts';
import { ProxmoxContainer, ProxmoxProvider, ProxmoxVm } from './resources.ts';
import { OS_IMAGES } from './os-images.ts';
import { backendFor, type BackendSetting } from './backend.ts';
import { guestRootSettings, ROOT_MANAGED_ATTRIBUTES } from './root-settings.ts';

const CDKTF_SCRATCH_DIR = join(tmpdir(), 'homelab-cdktf');

export interface StackContext {
  readonly site: Site;
  readonly service: NormalizedService;
  /** The service's dependency wave (1-based), used as the Proxmox boot order. */
  readonly wave: number;
  readonly backend: BackendSetting;
}

/** Extra Terraform a service adds to its own stack (DNS records, roles, storage). */
export type StackExtension = (scope: Construct, ctx: StackContext) => void;

export function synthesizeStack(ctx: StackContext, extend?: StackExtension): Record<string, unknown> {
  // We take the JSON from the stack, never from app.synth(); the App still insists on an outdir.
  const app = new App({ skipValidation: true, stackTraces: false, outdir: CDKTF_SCRATCH_DIR });
  const stack = new TerraformStack(app, ctx.service.name);
  backendFor(stack, ctx.service.name, ctx.backend);
  const guests = ctx.service.guests;
  if (guests.length > 0) {
    new ProxmoxProvider(stack, 'proxmox');
    const guestCtx: GuestContext = { site: ctx.site, service: ctx.service, startupOrder: ctx.wave };
    if (guests.some((g) => g.kind === 'lxc' || OS_IMAGES[g.os]?.cloudInitUser)) {
      new TerraformVariable(stack, 'ssh_public_key', {
        type: 'string',
        description: 'Public key Ansible logs in with (TF_VAR_ssh_public_key); not a secret, but kept out of the repo.',
      });
    }
    for (const guest of guests) {
      const id = guest.name.replace(/[^a-zA-Z0-9_-]/g, '_');
      const rootOwned = guestRootSettings(ctx.site, ctx.service, guest).length ? ROOT_MANAGED_ATTRIBUTES[guest.kind] : [];
      if (guest.kind === 'lxc') new ProxmoxContainer(stack, id, containerConfig(guest, guestCtx), { ignoreChanges: rootOwned });
      else new ProxmoxVm(stack, id, vmConfig(guest, guestCtx), { ignoreChanges: rootOwned });
    }
  }
  extend?.(stack, ctx);
  return sortKeys(stripCdktfMetadata(stack.toTerraform())) as Record<string, unknown>;
}

/** cdktf's "//" metadata carries its version and stack traces: not needed, and not stable. */
function stripCdktfMetadata(doc: Record<string, unknown>): Record<string, unknown> {
  const { '//': _meta, ...rest } = doc;
  const resource = rest.resource as Record<string, Record<string, Record<string, unknown>>> | undefined;
  for (const byName of Object.values(resource ?? {})) {
    for (const body of Object.values(byName)) delete body['//'];
  }
  return { '//': { generated_by: 'homelab synth; do not edit' }, ...rest };
}

export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]));
  }
  return value;
}

export { Construct };
