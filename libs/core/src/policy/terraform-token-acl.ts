/**
 * Which Proxmox VE ACL paths the service stacks touch, read from the synthesized Terraform: the
 * token needs its role there and nowhere else (never on `/`, which with propagate is every node,
 * storage, user and the cluster itself). Site-agnostic: the values come from the stacks.
 *
 * Where the API checks each privilege (Proxmox VE API documentation): guests on `/vms/{vmid}`
 * (`/vms` with propagate covers them all, and only them), disks and templates on
 * `/storage/{storage}`, NICs on the bridge (`/sdn/zones/localnetwork/{bridge}` for a plain Linux
 * bridge), node reads and downloads on `/nodes/{node}`, pools on `/pool/{pool}`.
 */
import { asRecord as record } from './rendered-files.ts';

export const VMS_PATH = '/vms';
export const BRIDGE_ZONE = '/sdn/zones/localnetwork';

export interface AclPathUse {
  readonly path: string;
  /** Services whose stacks touch it. */
  readonly by: readonly string[];
}

const GUEST_TYPES = new Set(['proxmox_virtual_environment_container', 'proxmox_virtual_environment_vm']);

/** Path → why, for one stack. */
export function aclPathsOfStack(stack: Readonly<Record<string, unknown>>): Set<string> {
  const paths = new Set<string>();
  const resource = record(stack.resource);
  for (const [type, bodies] of [...Object.entries(resource), ...Object.entries(record(stack.data))]) {
    if (!type.startsWith('proxmox_')) continue;
    if (GUEST_TYPES.has(type)) paths.add(VMS_PATH);
    for (const body of Object.values(record(bodies))) walk(body, paths);
  }
  return paths;
}

/** Every path the given stacks touch, with the services that touch it, sorted by path. */
export function aclPathsUsed(stacks: Iterable<readonly [service: string, stack: Readonly<Record<string, unknown>>]>): AclPathUse[] {
  const by = new Map<string, string[]>();
  for (const [service, stack] of stacks) {
    for (const path of aclPathsOfStack(stack)) by.set(path, [...(by.get(path) ?? []), service]);
  }
  return [...by.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, services]) => ({ path, by: services }));
}

function walk(value: unknown, paths: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) walk(v, paths);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const [key, v] of Object.entries(value)) {
    if (typeof v === 'string' && !v.includes('${')) {
      if (key === 'datastore_id') paths.add(`/storage/${v}`);
      else if (key === 'file_id' || key === 'template_file_id') paths.add(`/storage/${v.split(':')[0]}`);
      else if (key === 'node_name') paths.add(`/nodes/${v}`);
      else if (key === 'bridge') paths.add(`${BRIDGE_ZONE}/${v}`);
      else if (key === 'pool_id') paths.add(`/pool/${v}`);
    } else {
      walk(v, paths);
    }
  }
}

