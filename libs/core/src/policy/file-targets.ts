/**
 * Where a rendered file lands: the host named in its `host` (default: the service's own guest),
 * resolved to the machine behind that name. Two names of one machine (a service and the one that
 * shares its guest, a node by its name) are one target, so the cross-service file rules key on the
 * machine and the normalized path, never on a declared name or format.
 */
import { posix } from 'node:path';
import type { ConfigFile, NormalizedService } from '../model/service.ts';
import type { Site } from '../model/site.ts';
import { DEPLOY_MACHINE } from '../render/ansible.ts';

export type FileHostKind = 'guest' | 'node' | 'external' | 'deploy-machine';

/** A name a config file's `host` may take. */
export interface KnownFileHost {
  readonly name: string;
  readonly kind: FileHostKind;
  /** The machine behind the name (`ip:10.0.0.5`), the same for every name of one machine. */
  readonly machine: string;
  /** For a guest: the service whose stack it is. */
  readonly service?: string;
}

/** The inventory host a file of `service` goes to, as declared (before resolution). */
export function declaredFileHost(service: Pick<NormalizedService, 'name' | 'sharesGuestWith'>, file: Pick<ConfigFile, 'host'>): string {
  return file.host ?? service.sharesGuestWith ?? service.name;
}

/** Every name a file may be sent to: the guests of the services, the nodes, the external hosts, the deploy machine. */
export function knownFileHosts(site: Site, services: readonly NormalizedService[]): ReadonlyMap<string, KnownFileHost> {
  const hosts = new Map<string, KnownFileHost>();
  const add = (h: KnownFileHost) => { if (!hosts.has(h.name)) hosts.set(h.name, h); };
  const machineOf = (ip: string | undefined, name: string) => (ip ? `ip:${ip}` : `name:${name}`);
  add({ name: DEPLOY_MACHINE, kind: 'deploy-machine', machine: `name:${DEPLOY_MACHINE}` });
  for (const n of site.nodes) add({ name: n.name, kind: 'node', machine: machineOf(n.ip, n.name) });
  for (const h of site.externalHosts) add({ name: h.name, kind: 'external', machine: machineOf(h.ip, h.name) });
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const s of services) {
    for (const g of s.guests) add({ name: g.name, kind: 'guest', machine: machineOf(g.placement.ip, g.name), service: s.name });
    if (s.kind === 'external' && (s.externalHost || s.ip)) add({ name: s.name, kind: 'guest', machine: machineOf(s.ip ?? s.externalHost?.ip, s.name), service: s.name });
  }
  // A service on another's guest is a second name of that machine.
  for (const s of services) {
    const sharer = s.sharesGuestWith === undefined ? undefined : byName.get(s.sharesGuestWith);
    const shared = sharer ? hosts.get(sharer.name) : undefined;
    if (shared) add({ name: s.name, kind: 'guest', machine: shared.machine, service: s.name });
  }
  return hosts;
}

/** The machines that are the service's own: its guest (or the one it shares), its extra guests, its external host. */
export function ownMachines(service: NormalizedService, hosts: ReadonlyMap<string, KnownFileHost>): ReadonlySet<string> {
  const names = [service.name, service.sharesGuestWith, ...service.guests.map((g) => g.name)];
  const machines = new Set(names.flatMap((n) => {
    const h = n === undefined ? undefined : hosts.get(n);
    return h && h.kind === 'guest' ? [h.machine] : [];
  }));
  // An external service (a Raspberry Pi) owns the external host it is placed on.
  const external = service.externalHost ? hosts.get(service.externalHost.name) : undefined;
  if (external) machines.add(external.machine);
  return machines;
}

export interface FileTarget {
  /** The declared inventory host. */
  readonly host: string;
  /** The machine behind it (the declared name itself when it is not a known host). */
  readonly machine: string;
  /** The path as the file system sees it (posix-normalized). */
  readonly path: string;
}

export function fileTarget(service: NormalizedService, file: ConfigFile, hosts: ReadonlyMap<string, KnownFileHost>): FileTarget {
  const host = declaredFileHost(service, file);
  return { host, machine: hosts.get(host)?.machine ?? `name:${host}`, path: posix.normalize(file.path) };
}

/** One key per place on disk: machine and normalized path. */
export function targetKey(t: FileTarget): string {
  return `${t.machine}\u0000${t.path}`;
}
