/**
 * `homelab status`: what runs where, and which version of each package is deployed against the
 * repository's. The deployed version comes from the guest's `v<version>` tag (synthesis stamps
 * it, see guestTags) and from the deploy record in the state directory when there is one.
 */
import type { Homelab } from '../model/homelab.ts';
import { readDeployRecord } from '../deploy/record.ts';
import { guestsOf, type FleetState, type LiveGuest } from './fleet-state.ts';

/** What deploy recorded for a service (deploy/record.ts, under deploy's state directory). */
export interface RecordedDeploy {
  /** The version that was deployed: the record's, or for a failed deploy the last good one's. */
  readonly version?: string;
  /** The last deploy failed (what runs is probably `version`, the one before). */
  readonly lastFailed: boolean;
}

/** Reads the deploy record of each service; a record that cannot be read is reported as absent. */
export async function readRecordedDeploys(stateDir: string, services: readonly string[]): Promise<Map<string, RecordedDeploy>> {
  const out = new Map<string, RecordedDeploy>();
  for (const service of services) {
    try {
      const r = await readDeployRecord(stateDir, service);
      if (!r) continue;
      const version = r.status === 'deployed' ? r.version : r.lastDeployed?.manifest.version;
      out.set(service, { ...(version ? { version } : {}), lastFailed: r.status !== 'deployed' });
    } catch {
      // Not a record of ours: status shows what the guests say.
    }
  }
  return out;
}

export type VersionVerdict = 'current' | 'behind' | 'ahead' | 'differs' | 'not deployed' | 'unknown' | 'mixed';

export interface StatusGuest {
  readonly vmid: number;
  readonly type: 'lxc' | 'qemu';
  readonly node: string;
  readonly plannedNode?: string;
  readonly status: string;
  readonly uptime: number;
  /** From the guest's `v<version>` tag. */
  readonly taggedVersion?: string;
}

export interface StatusRow {
  readonly service: string;
  readonly group: string;
  readonly package: string;
  readonly kind: string;
  readonly repoVersion: string;
  readonly guests: readonly StatusGuest[];
  readonly recordedVersion?: string;
  /** The last deploy of this service failed (deploy record). */
  readonly lastDeployFailed?: boolean;
  /** The tag's version, else the record's. */
  readonly deployedVersion?: string;
  readonly verdict: VersionVerdict;
}

export interface StatusReport {
  readonly rows: readonly StatusRow[];
  /** Guests on the cluster that no service declares. */
  readonly unmanaged: readonly LiveGuest[];
  /** False when the API was not asked (not configured). */
  readonly live: boolean;
}

/** `v1.2.3` tag → `1.2.3` (synthesis writes `v<version>` with unsafe characters as `_`). */
export function versionFromTags(tags: readonly string[]): string | undefined {
  return tags.map((t) => /^v(\d[\w.+-]*)$/.exec(t)?.[1]).find((v) => v !== undefined);
}

function parts(v: string): number[] {
  return v.split(/[.+_-]/).slice(0, 3).map((p) => Number.parseInt(p, 10)).map((n) => (Number.isNaN(n) ? 0 : n));
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return a === b ? 0 : a.localeCompare(b) < 0 ? -1 : 1;
}

export function buildStatus(home: Homelab, state: FleetState | undefined, records: ReadonlyMap<string, RecordedDeploy> = new Map()): StatusReport {
  const declared = new Set<number>();
  const rows = home.services.map((s): StatusRow => {
    const guests = guestsOf(home, s).map((g): StatusGuest => {
      declared.add(g.vmid);
      const live = state?.guests.get(g.vmid);
      const tagged = live ? versionFromTags(live.tags) : undefined;
      return {
        vmid: g.vmid, type: g.type, node: live?.node ?? g.plannedNode ?? '', ...(g.plannedNode ? { plannedNode: g.plannedNode } : {}),
        status: !state ? 'unknown' : live ? live.status : 'absent', uptime: live?.uptime ?? 0, ...(tagged ? { taggedVersion: tagged } : {}),
      };
    });
    // A service in another's guest carries no tag of its own version: only its record tells.
    const ownGuests = s.sharesGuestWith ? [] : guests;
    const tagged = [...new Set(ownGuests.map((g) => g.taggedVersion).filter((v): v is string => v !== undefined))];
    const record = records.get(s.name);
    const recorded = record?.version;
    const deployed = tagged.length === 1 ? tagged[0] : recorded;
    let verdict: VersionVerdict;
    if (tagged.length > 1) verdict = 'mixed';
    else if (deployed === undefined) verdict = state && guests.length > 0 && guests.every((g) => g.status === 'absent') ? 'not deployed' : 'unknown';
    else {
      const c = compareVersions(deployed, s.pkg.version);
      verdict = c === 0 ? 'current' : c < 0 ? 'behind' : 'ahead';
      if (tagged.length === 1 && recorded && recorded !== tagged[0]) verdict = 'differs';
    }
    return {
      service: s.name, group: s.group, package: s.pkg.name, kind: s.kind, repoVersion: s.pkg.version, guests,
      ...(recorded ? { recordedVersion: recorded } : {}), ...(record?.lastFailed ? { lastDeployFailed: true } : {}), ...(deployed ? { deployedVersion: deployed } : {}), verdict,
    };
  });
  const unmanaged = state ? [...state.guests.values()].filter((g) => !declared.has(g.vmid)).sort((a, b) => a.vmid - b.vmid) : [];
  return { rows, unmanaged, live: state !== undefined };
}
