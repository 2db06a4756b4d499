/**
 * The Terraform name and address of a guest's resource in its service's stack: synthesis names the
 * resource, and adopt and drift find it by the same rule.
 */
import type { NormalizedGuest } from '../model/service.ts';
import { RESOURCE_TYPES } from './generated/bpg-proxmox.ts';

/** The resource's name: the guest's name with what Terraform does not allow in a name as `_`. */
export function guestResourceId(guest: Pick<NormalizedGuest, 'name'>): string {
  return guest.name.replace(/[^a-zA-Z0-9_-]/g, '_');
}

export function guestResourceType(guest: Pick<NormalizedGuest, 'kind'>): string {
  return guest.kind === 'lxc' ? RESOURCE_TYPES.Container : RESOURCE_TYPES.Vm;
}

/** `proxmox_virtual_environment_container.<name>` / `proxmox_virtual_environment_vm.<name>`. */
export function guestResourceAddress(guest: Pick<NormalizedGuest, 'name' | 'kind'>): string {
  return `${guestResourceType(guest)}.${guestResourceId(guest)}`;
}
