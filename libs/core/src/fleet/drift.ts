/**
 * `homelab drift`: per service, each live guest's configuration from the PVE API against the
 * synthesized Terraform JSON (guest-drift.ts), beside the Terraform plan where it could run
 * (deploy/drift-plan.ts). A guest that is not on the cluster is `missing`; one whose config could
 * not be read is `unknown`; a guest on another node or of another type is drift of its own.
 */
import type { TerraformDrift } from '../deploy/drift-plan.ts';
import type { Homelab } from '../model/homelab.ts';
import type { NormalizedService } from '../model/service.ts';
import type { ContainerConfig, VmConfig } from '../proxmox/generated/bpg-proxmox.ts';
import { guestResourceId, guestResourceType } from '../proxmox/guest-address.ts';
import type { PveClient } from '../pve/client.ts';
import { PveApiError } from '../pve/errors.ts';
import type { GuestType } from '../pve/types.ts';
import type { FleetState, LiveGuest } from './fleet-state.ts';
import { guestDrift, type FieldDrift } from './guest-drift.ts';

export type DriftStatus = 'in-sync' | 'drifted' | 'missing' | 'unknown';

export interface GuestDriftEntry {
  readonly guest: string;
  readonly vmid: number;
  readonly type: GuestType;
  /** Where it runs (the plan's node when it is missing). */
  readonly node: string;
  readonly status: DriftStatus;
  /** live → code, for `drifted`. */
  readonly fields: readonly FieldDrift[];
  /** Why, for `missing` and `unknown`. */
  readonly message?: string;
}

export interface ServiceDrift {
  readonly service: string;
  readonly verdict: DriftStatus | 'error';
  readonly guests: readonly GuestDriftEntry[];
  readonly terraform: TerraformDrift;
}

export interface DriftReport {
  readonly services: readonly ServiceDrift[];
  /** Guests on the cluster that no service declares (only without a service filter). */
  readonly unmanaged: readonly LiveGuest[];
}

type TerraformDoc = { readonly resource?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };

/** The services drift looks at: the named ones (all when none), those with guests of their own. */
export function driftServices(home: Homelab, named: readonly string[]): NormalizedService[] {
  return home.services.filter((s) => (named.length === 0 || named.includes(s.name)) && s.guests.some((g) => g.placement.vmid !== undefined));
}

/** Each guest of the service against the cluster; `terraformJson` is the synthesized `cdk.tf.json`. */
export async function liveGuestDrift(service: NormalizedService, terraformJson: string, state: FleetState, client: PveClient): Promise<GuestDriftEntry[]> {
  const doc = JSON.parse(terraformJson) as TerraformDoc;
  const out: GuestDriftEntry[] = [];
  for (const guest of service.guests) {
    const vmid = guest.placement.vmid;
    if (vmid === undefined) continue;
    const type: GuestType = guest.kind === 'vm' ? 'qemu' : 'lxc';
    const planned = guest.node?.name ?? guest.placement.node ?? '';
    const base = { guest: guest.name, vmid, type };
    const live = state.guests.get(vmid);
    if (!live) {
      out.push({ ...base, node: planned, status: 'missing', fields: [], message: `no guest ${vmid} on the cluster (deploy creates it; \`homelab adopt\` if it runs under another VMID)` });
      continue;
    }
    const code = doc.resource?.[guestResourceType(guest)]?.[guestResourceId(guest)] as ContainerConfig | VmConfig | undefined;
    if (!code) {
      out.push({ ...base, node: live.node, status: 'unknown', fields: [], message: `the synthesized stack has no ${guestResourceType(guest)}.${guestResourceId(guest)}` });
      continue;
    }
    const placement: FieldDrift[] = [
      ...(live.type !== type ? [{ field: 'type', live: live.type, code: type }] : []),
      ...(live.node !== planned ? [{ field: 'node', live: live.node, code: planned }] : []),
    ];
    if (live.type !== type) {
      out.push({ ...base, node: live.node, status: 'drifted', fields: placement });
      continue;
    }
    try {
      const config = await client.guestConfig(live.node, live.type, vmid);
      const fields = [...placement, ...guestDrift(type, config, code)];
      out.push({ ...base, node: live.node, status: fields.length ? 'drifted' : 'in-sync', fields });
    } catch (error) {
      if (!(error instanceof PveApiError)) throw error;
      out.push({ ...base, node: live.node, status: 'unknown', fields: [], message: error.message });
    }
  }
  return out;
}

export function serviceVerdict(guests: readonly GuestDriftEntry[], terraform: TerraformDrift): ServiceDrift['verdict'] {
  if (terraform.status === 'error') return 'error';
  const has = (s: DriftStatus): boolean => guests.some((g) => g.status === s);
  if (has('drifted') || terraform.status === 'drifted') return 'drifted';
  if (has('missing')) return 'missing';
  if (has('unknown')) return 'unknown';
  return 'in-sync';
}

/** Drift (drifted or missing) and problems (unknown, a plan that failed) found. */
export function driftCounts(report: DriftReport): { inSync: number; drifted: number; missing: number; unknown: number; errors: number } {
  const n = (v: ServiceDrift['verdict']): number => report.services.filter((s) => s.verdict === v).length;
  return { inSync: n('in-sync'), drifted: n('drifted'), missing: n('missing'), unknown: n('unknown'), errors: n('error') };
}

const VERDICT: Readonly<Record<ServiceDrift['verdict'], string>> = {
  'in-sync': 'in sync', drifted: 'DRIFTED', missing: 'missing', unknown: 'unknown', error: 'ERROR',
};

function planLine(t: TerraformDrift): string {
  if (t.status === 'in-sync') return 'plan: no changes';
  if (t.status === 'drifted') return `plan: changes (${t.changes.filter((c) => c.startsWith('Plan:')).join(' ') || 'see tofu plan'})`;
  if (t.status === 'skipped') return `plan: not run: ${t.reason}`;
  return `plan: failed: ${t.message}`;
}

export function formatDrift(report: DriftReport): string[] {
  const out: string[] = [];
  const width = Math.max(0, ...report.services.map((s) => s.service.length));
  for (const s of report.services) {
    out.push(`${s.service.padEnd(width)}  ${VERDICT[s.verdict]}  (${planLine(s.terraform)})`);
    for (const g of s.guests) {
      if (g.status === 'in-sync') continue;
      if (g.message) out.push(`  ${g.vmid} ${g.guest}: ${g.status}: ${g.message}`);
      for (const f of g.fields) out.push(`  ${g.vmid} ${g.guest}: ${f.field}: ${f.live} → ${f.code}`);
    }
    if (s.terraform.status === 'drifted') for (const c of s.terraform.changes.filter((l) => !l.startsWith('Plan:'))) out.push(`  plan: ${c}`);
  }
  if (report.unmanaged.length) {
    out.push('', 'guests on the cluster no service declares:');
    for (const g of report.unmanaged) out.push(`  ${g.vmid} ${g.type === 'qemu' ? 'VM' : 'LXC'} ${g.name} on ${g.node} (${g.status})`);
  }
  const c = driftCounts(report);
  out.push('', `drift: ${c.inSync} in sync, ${c.drifted} drifted, ${c.missing} missing, ${c.unknown} unknown, ${c.errors} failed (live values → code)`);
  return out;
}
