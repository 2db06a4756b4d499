/** Text output of the fleet commands: aligned tables, stable order. */
import type { Homelab } from '../model/homelab.ts';
import { serviceState, type FleetState } from './fleet-state.ts';
import type { GroupPlan } from './group-plan.ts';
import type { GroupView } from './groups.ts';
import { formatDuration } from './progress.ts';
import type { StatusReport } from './status.ts';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)];
}

/** Running state of a group: from its members that are Proxmox guests. */
export function groupState(home: Homelab, view: GroupView, state: FleetState | undefined): string {
  if (!state) return 'unknown';
  const states = view.members.map((m) => serviceState(home, home.byName.get(m)!, state)).filter((s) => s !== 'not-a-guest');
  if (!states.length) return '-';
  const running = states.filter((s) => s === 'running').length;
  const up = states.filter((s) => s === 'running' || s === 'partial').length;
  if (running === states.length) return 'running';
  if (up === 0) return 'stopped';
  return `partial (${up}/${states.length})`;
}

/** `missing`: why there is no state (fleet/pve-access.ts pveAccessMissing), for the line that says so. */
export function formatGroupList(home: Homelab, views: readonly GroupView[], state: FleetState | undefined, missing?: string): string[] {
  const rows = views.map((v) => [
    v.name,
    [v.alwaysOn ? 'always-on' : '', v.hardwareBound ? 'hardware-bound' : ''].filter(Boolean).join(',') || '-',
    v.dependsOn.join(',') || '-',
    groupState(home, v, state),
    v.members.map((m) => (state ? `${m}:${shortState(serviceState(home, home.byName.get(m)!, state))}` : m)).join(' ') || '(none)',
  ]);
  const out = table(['GROUP', 'FLAGS', 'DEPENDS ON', 'STATE', 'MEMBERS'], rows);
  if (!state) out.push('', `state: unknown (${missing ?? `set ${home.site.providerEnv.endpoint} and ${home.site.providerEnv.apiToken}`} to see what runs)`);
  return out;
}

function shortState(s: string): string {
  return s === 'not-a-guest' ? 'n/a' : s;
}

export function formatGroupPlan(plan: Extract<GroupPlan, { kind: 'plan' }>): string[] {
  const verb = plan.op === 'stop' ? 'stop' : 'start';
  const order = plan.op === 'stop' ? 'leaves first' : 'roots first';
  const lines = [`${verb} ${plan.group} (${order}): ${plan.waves.length} wave${plan.waves.length === 1 ? '' : 's'}, ${plan.waves.flat().length} guest${plan.waves.flat().length === 1 ? '' : 's'}`];
  const rows = plan.waves.map((w) => w.map((a) => [
    a.service, `${a.guest.type} ${a.guest.vmid}`, `on ${a.node}`,
    `POST /nodes/${a.node}/${a.guest.type}/${a.guest.vmid}/status/${a.op === 'stop' ? 'shutdown' : 'start'}`,
  ]));
  // One table for all waves, so the columns line up across them.
  const body = table(['', '', '', ''], rows.flat()).slice(1);
  let k = 0;
  rows.forEach((w, i) => {
    lines.push(`wave ${i + 1}:`);
    for (let j = 0; j < w.length; j++) lines.push(`  ${body[k++]}`);
  });
  for (const s of plan.skipped) lines.push(`skipped ${s.service}: ${s.reason}`);
  for (const n of plan.notes) lines.push(`note: ${n}`);
  return lines;
}

export function formatStatus(report: StatusReport): string[] {
  const rows = report.rows.flatMap((r) => {
    const version = [r.deployedVersion ?? '-', r.repoVersion, `${r.verdict}${r.lastDeployFailed ? ' (last deploy failed)' : ''}`];
    if (!r.guests.length) return [[r.service, r.group, `(${r.kind})`, '-', '-', '-', ...version]];
    return r.guests.map((g, i) => [
      i === 0 ? r.service : '', i === 0 ? r.group : '', `${g.type} ${g.vmid}`,
      g.plannedNode && g.node !== g.plannedNode ? `${g.node} (plan: ${g.plannedNode})` : g.node || '-',
      g.status, g.status === 'running' ? formatDuration(g.uptime * 1000) : '-',
      ...(i === 0 ? version : ['', '', '']),
    ]);
  });
  const out = table(['SERVICE', 'GROUP', 'GUEST', 'NODE', 'STATUS', 'UPTIME', 'DEPLOYED', 'REPO', 'VERSION'], rows);
  if (report.unmanaged.length) {
    out.push('', 'guests no service declares:');
    out.push(...table(['GUEST', 'NAME', 'NODE', 'STATUS'], report.unmanaged.map((g) => [`${g.type} ${g.vmid}`, g.name, g.node, g.status])).map((l) => `  ${l}`));
  }
  return out;
}
