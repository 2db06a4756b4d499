/**
 * One Terraform stack (own state) per service. Returns the Terraform JSON document, with keys
 * sorted so that the same inputs give byte-identical output.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, LocalBackend, TerraformStack, TerraformVariable } from './cdktf.ts';
import type { TerraformContext, TerraformExtension } from '../model/service.ts';
import { containerConfig, vmConfig, type GuestContext } from './guest-config.ts';
import { ProxmoxContainer, ProxmoxFirewallOptions, ProxmoxFirewallRules, ProxmoxProvider, ProxmoxVm } from './resources.ts';
import { firewallDisabled, guestFirewall } from './firewall.ts';
import { osImagesOf } from '../model/os-images.ts';
import { backendFor, type BackendSetting } from './backend.ts';
import { guestRootSettings, ROOT_MANAGED_ATTRIBUTES } from './root-settings.ts';
import { guestResourceId } from './guest-address.ts';

const CDKTF_SCRATCH_DIR = join(tmpdir(), 'homelab-cdktf');

/** What one service's stack is made from: the extension's context and where the state lives. */
export interface StackContext extends TerraformContext {
  readonly backend: BackendSetting;
}

/** The model's `TerraformExtension`, under the name this module used first. */
export type StackExtension = TerraformExtension;

export function synthesizeStack(ctx: StackContext, extend?: StackExtension): Record<string, unknown> {
  // We take the JSON from the stack, never from app.synth(); the App still insists on an outdir.
  const app = new App({ skipValidation: true, stackTraces: false, outdir: CDKTF_SCRATCH_DIR });
  const stack = new TerraformStack(app, ctx.service.name);
  backendFor(stack, ctx.service.name, ctx.backend);
  const guests = ctx.service.guests;
  if (guests.length > 0) {
    new ProxmoxProvider(stack, 'proxmox');
    const guestCtx: GuestContext = { site: ctx.site, service: ctx.service, startupOrder: ctx.wave };
    if (guests.some((g) => g.kind === 'lxc' || osImagesOf(ctx.site)[g.os]?.cloudInitUser)) {
      new TerraformVariable(stack, 'ssh_public_key', {
        type: 'string',
        description: 'Public key Ansible logs in with (TF_VAR_ssh_public_key); not a secret, but kept out of the repo.',
      });
    }
    for (const guest of guests) {
      const id = guestResourceId(guest);
      const rootOwned = guestRootSettings(ctx.site, ctx.service, guest).length ? ROOT_MANAGED_ATTRIBUTES[guest.kind] : [];
      const resource = guest.kind === 'lxc'
        ? new ProxmoxContainer(stack, id, containerConfig(guest, guestCtx), { ignoreChanges: rootOwned })
        : new ProxmoxVm(stack, id, vmConfig(guest, guestCtx), { ignoreChanges: rootOwned });
      if (!firewallDisabled(ctx.service)) {
        const fw = guestFirewall(ctx.site, ctx.services, ctx.service, guest);
        // Rules first, then the switch: the guest never runs with DROP and no rules.
        const rules = new ProxmoxFirewallRules(stack, `${id}_firewall_rules`, fw.rules, { dependsOn: [resource] });
        new ProxmoxFirewallOptions(stack, `${id}_firewall`, fw.options, { dependsOn: [resource, rules] });
      }
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

