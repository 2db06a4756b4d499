/**
 * Which guests run where, from the Proxmox API, joined with the model: a service's guests are
 * its own LXC/VMs, or those of the service it shares a guest with.
 */
import type { Homelab } from '../model/homelab.ts';
import type { NormalizedService } from '../model/service.ts';
import type { PveClient } from '../pve/client.ts';
import type { ClusterResource, GuestType } from '../pve/types.ts';

export interface GuestRef {
  readonly vmid: number;
  readonly type: GuestType;
  /** The node the address plan puts it on. */
  readonly plannedNode?: string;
  readonly name: string;
  /** The service whose stack declares the guest. */
  readonly owner: string;
}

export interface LiveGuest {
  readonly vmid: number;
  readonly type: GuestType;
  readonly node: string;
  readonly name: string;
  readonly status: string;
  readonly uptime: number;
  readonly tags: readonly string[];
}

export interface FleetState {
  readonly guests: ReadonlyMap<number, LiveGuest>;
}

/** running: every guest runs; stopped: none does; partial: some do; absent: no guest exists on the cluster; not-a-guest: external or none. */
export type RunState = 'running' | 'stopped' | 'partial' | 'absent' | 'not-a-guest' | 'unknown';

export function guestsOf(home: Homelab, service: NormalizedService): GuestRef[] {
  const host = service.sharesGuestWith ? home.byName.get(service.sharesGuestWith) : service;
  if (!host) return [];
  const own = host.guests.filter((g) => g.name === host.name);
  const guests = service.sharesGuestWith ? (own.length ? own : host.guests.slice(0, 1)) : host.guests;
  return guests.filter((g) => g.placement.vmid !== undefined).map((g) => ({
    vmid: g.placement.vmid!,
    type: g.kind === 'vm' ? 'qemu' : 'lxc',
    ...(g.placement.node !== undefined ? { plannedNode: g.placement.node } : {}),
    name: g.name,
    owner: host.name,
  }));
}

export function fleetStateFrom(resources: readonly ClusterResource[]): FleetState {
  const guests = new Map<number, LiveGuest>();
  for (const r of resources) {
    if ((r.type !== 'lxc' && r.type !== 'qemu') || r.vmid === undefined || r.template) continue;
    guests.set(r.vmid, {
      vmid: r.vmid, type: r.type, node: r.node ?? '', name: r.name ?? '', status: r.status ?? 'unknown', uptime: r.uptime ?? 0,
      tags: (r.tags ?? '').split(/[;, ]+/).filter(Boolean),
    });
  }
  return { guests };
}

/** Guests on the cluster whose VMID no service's guest has, by VMID. */
export function unmanagedGuests(home: Homelab, state: FleetState): LiveGuest[] {
  const declared = new Set(home.services.flatMap((s) => s.guests.map((g) => g.placement.vmid)));
  return [...state.guests.values()].filter((g) => !declared.has(g.vmid)).sort((a, b) => a.vmid - b.vmid);
}

export async function readFleetState(client: PveClient): Promise<FleetState> {
  return fleetStateFrom(await client.clusterResources('vm'));
}

export function guestState(guest: GuestRef, state: FleetState | undefined): 'running' | 'stopped' | 'absent' | 'unknown' {
  if (!state) return 'unknown';
  const live = state.guests.get(guest.vmid);
  if (!live) return 'absent';
  return live.status === 'running' ? 'running' : 'stopped';
}

export function serviceState(home: Homelab, service: NormalizedService, state: FleetState | undefined): RunState {
  const guests = guestsOf(home, service);
  if (!guests.length) return 'not-a-guest';
  if (!state) return 'unknown';
  const states = guests.map((g) => guestState(g, state));
  if (states.every((s) => s === 'absent')) return 'absent';
  if (states.every((s) => s === 'running')) return 'running';
  if (states.some((s) => s === 'running')) return 'partial';
  return 'stopped';
}

/** A service counts as up for dependency checks when any of its guests runs. */
export function isUp(s: RunState): boolean {
  return s === 'running' || s === 'partial';
}
