/**
 * Plans `homelab group start|stop <group>`: checks the group rules, then orders the members'
 * guests over the service graph: roots first to start, leaves first to stop (Nx runs a graph
 * only forwards, so the reverse walk is done here, over Nx's edges). Pure: the live state is
 * passed in, nothing is changed.
 *
 * Rules, all reported at once:
 *  - AlwaysOn: an always-on group (site.groups[g].alwaysOn) refuses stop, unconditionally.
 *  - HardwareBound: a hardware-bound group's members are excluded from bulk operations; each
 *    must be named with --service.
 *  - DependentsRunning: stop is refused while anything outside the operation that depends on
 *    it runs; the message names the groups to stop first, leaves first.
 *  - DependenciesNotRunning: start is refused while something it depends on is not running.
 *  - SharedGuest: stop is refused when a guest also runs a service outside the operation.
 *  - NotDeployed: start is refused for a guest the cluster does not have.
 */
import { dependencyWaves } from '../graph/waves.ts';
import type { Homelab } from '../model/homelab.ts';
import { guestsOf, guestState, isUp, serviceState, type FleetState, type GuestRef, type RunState } from './fleet-state.ts';
import { orderGroups } from './groups.ts';
import { dependenciesIn, dependentsIn, runtimeGraph, type ServiceGraph } from './service-graph.ts';

export type GroupOp = 'start' | 'stop';

export interface GroupRequest {
  readonly op: GroupOp;
  readonly group: string;
  /** Only these members (--service). @default - every member */
  readonly services?: readonly string[];
}

export interface GuestAction {
  readonly service: string;
  readonly guest: GuestRef;
  /** Where the guest is now (the API), else where the plan puts it. */
  readonly node: string;
  readonly op: GroupOp;
}

export interface Skip {
  readonly service: string;
  readonly reason: string;
}

export type RefusalCode = 'AlwaysOn' | 'HardwareBound' | 'DependentsRunning' | 'DependenciesNotRunning' | 'SharedGuest' | 'NotDeployed';

export interface Refusal {
  readonly code: RefusalCode;
  readonly message: string;
}

export type GroupPlan =
  | { readonly kind: 'usage'; readonly message: string }
  | { readonly kind: 'refused'; readonly group: string; readonly op: GroupOp; readonly refusals: readonly Refusal[] }
  | {
    readonly kind: 'plan';
    readonly group: string;
    readonly op: GroupOp;
    /** Guest actions; the actions of one wave are independent of each other. */
    readonly waves: readonly (readonly GuestAction[])[];
    readonly skipped: readonly Skip[];
    readonly notes: readonly string[];
  };

function list(names: readonly string[]): string {
  return names.join(', ');
}

/** The command that runs `op` on `group`; hardware-bound members are named one by one. */
export function groupCommand(home: Homelab, op: GroupOp, group: string, members: readonly string[]): string {
  const named = home.site.groups[group]?.hardwareBound === true;
  return `homelab group ${op} ${group}${named ? members.map((m) => ` --service ${m}`).join('') : ''}`;
}

function describeStates(home: Homelab, names: readonly string[], state: FleetState | undefined): string {
  return names.map((n) => `${n} ${stateWord(serviceState(home, home.byName.get(n)!, state))}`).join(', ');
}

function stateWord(s: RunState): string {
  return s === 'partial' ? 'partly running' : s === 'absent' ? 'not deployed' : s;
}

export function planGroupOperation(home: Homelab, graph: ServiceGraph, state: FleetState | undefined, req: GroupRequest): GroupPlan {
  const groups = Object.keys(home.site.groups);
  const policy = home.site.groups[req.group];
  if (!policy) return { kind: 'usage', message: `unknown group "${req.group}". Groups: ${list(groups)}.` };
  const members = home.services.filter((s) => s.group === req.group).map((s) => s.name).sort();
  const named = [...new Set(req.services ?? [])];
  for (const n of named) {
    const svc = home.byName.get(n);
    if (!svc) return { kind: 'usage', message: `unknown service "${n}". Members of ${req.group}: ${list(members) || '(none)'}; all services: ${list(home.services.map((s) => s.name))}.` };
    if (svc.group !== req.group) return { kind: 'usage', message: `${n} is in group ${svc.group}, not ${req.group}. Members of ${req.group}: ${list(members) || '(none)'}. Use: homelab group ${req.op} ${svc.group} --service ${n}` };
  }
  const targets = named.length ? named.sort() : members;
  const targetSet = new Set(targets);
  const refusals: Refusal[] = [];
  const notes: string[] = [];

  if (req.op === 'stop' && policy.alwaysOn) {
    refusals.push({ code: 'AlwaysOn', message: `group ${req.group} is always on (site.groups.${req.group}.alwaysOn): stop is refused unconditionally.` });
  }
  if (policy.hardwareBound && !named.length) {
    refusals.push({
      code: 'HardwareBound',
      message: `group ${req.group} is hardware-bound: its members are excluded from bulk operations and are managed one by one. Members: ${list(members) || '(none)'}. Name each, e.g. homelab group ${req.op} ${req.group} --service ${members[0] ?? '<name>'}`,
    });
  }

  if (!state) {
    notes.push('running state unknown (the Proxmox API is not configured): dependents and dependencies were not checked.');
  } else if (req.op === 'stop') {
    const blocking = dependentsIn(runtimeGraph(home, graph), targets).filter((d) => !targetSet.has(d) && isUp(serviceState(home, home.byName.get(d)!, state)));
    if (blocking.length) {
      const byGroup = groupBy(home, blocking);
      const order = orderGroups(home, graph, byGroup.keys(), 'leaves-first');
      refusals.push({
        code: 'DependentsRunning',
        message: `cannot stop ${named.length ? list(targets) : req.group} while what depends on it runs: ${order.map((g) => `${g} (${describeStates(home, byGroup.get(g)!, state)})`).join('; ')}. Stop first, leaves first: ${order.map((g) => groupCommand(home, 'stop', g, byGroup.get(g)!)).join(', then ')}`,
      });
    }
  } else {
    const missing = dependenciesIn(runtimeGraph(home, graph), targets).filter((d) => {
      if (targetSet.has(d)) return false;
      const s = serviceState(home, home.byName.get(d)!, state);
      return s !== 'running' && s !== 'not-a-guest';
    });
    if (missing.length) {
      const byGroup = groupBy(home, missing);
      const order = orderGroups(home, graph, byGroup.keys(), 'roots-first');
      refusals.push({
        code: 'DependenciesNotRunning',
        message: `cannot start ${named.length ? list(targets) : req.group} before what it depends on runs: ${order.map((g) => `${g} (${describeStates(home, byGroup.get(g)!, state)})`).join('; ')}. Start first, roots first: ${order.map((g) => groupCommand(home, 'start', g, byGroup.get(g)!)).join(', then ')}`,
      });
    }
  }

  // Guests: each belongs to the service whose stack declares it; others that share it ride along.
  const guestOwner = new Map<number, string>();
  for (const s of home.services) for (const g of guestsOf(home, s)) if (g.owner === s.name) guestOwner.set(g.vmid, s.name);
  if (req.op === 'stop') {
    for (const t of targets) {
      for (const g of guestsOf(home, home.byName.get(t)!)) {
        const riders = home.services.filter((o) => !targetSet.has(o.name) && guestsOf(home, o).some((x) => x.vmid === g.vmid));
        if (riders.length) {
          refusals.push({ code: 'SharedGuest', message: `${t}'s guest (vmid ${g.vmid}) also runs ${riders.map((r) => `${r.name} (group ${r.group})`).join(', ')}, which this operation does not include; stopping the guest would stop it too. Include it, or leave the guest running.` });
        }
      }
    }
  }
  if (req.op === 'start' && state) {
    for (const t of targets) {
      for (const g of guestsOf(home, home.byName.get(t)!)) {
        if (guestState(g, state) === 'absent') {
          refusals.push({ code: 'NotDeployed', message: `${t}: guest ${g.type} ${g.vmid} is not on the cluster. Deploy it first: npx nx run ${graph.projectOf.get(g.owner) ?? home.byName.get(g.owner)?.pkg.name ?? g.owner}:deploy` });
        }
      }
    }
  }
  if (refusals.length) return { kind: 'refused', group: req.group, op: req.op, refusals: dedupe(refusals) };

  const sub = new Map(targets.map((t) => [t, (graph.deps.get(t) ?? []).filter((d) => targetSet.has(d))]));
  const { waves, cycles } = dependencyWaves(sub);
  const ordered = [...waves];
  const leftover = targets.filter((t) => !waves.flat().includes(t));
  if (leftover.length) {
    ordered.push(leftover);
    notes.push(`dependency cycle among ${list(cycles.flat())}: those run last, together.`);
  }
  if (req.op === 'stop') ordered.reverse();
  if (!targets.length) notes.push(`group ${req.group} has no members.`);

  const skipped: Skip[] = [];
  const planned = new Set<number>();
  const actionWaves = ordered.map((wave) => wave.flatMap((name) => {
    const svc = home.byName.get(name)!;
    const guests = guestsOf(home, svc);
    if (!guests.length) {
      skipped.push({ service: name, reason: `not a Proxmox guest (kind ${svc.kind}): manage it on its host` });
      return [];
    }
    return guests.flatMap((g): GuestAction[] => {
      if (guestOwner.get(g.vmid) !== name && targetSet.has(guestOwner.get(g.vmid) ?? '')) {
        skipped.push({ service: name, reason: `runs in ${guestOwner.get(g.vmid)}'s guest (${g.type} ${g.vmid}), which this operation ${req.op === 'stop' ? 'stops' : 'starts'}` });
        return [];
      }
      if (planned.has(g.vmid)) return [];
      const now = guestState(g, state);
      if (req.op === 'stop' && (now === 'stopped' || now === 'absent')) {
        skipped.push({ service: name, reason: `${g.type} ${g.vmid} is ${now === 'absent' ? 'not on the cluster' : 'already stopped'}` });
        return [];
      }
      if (req.op === 'start' && now === 'running') {
        skipped.push({ service: name, reason: `${g.type} ${g.vmid} is already running` });
        return [];
      }
      planned.add(g.vmid);
      const node = state?.guests.get(g.vmid)?.node ?? g.plannedNode ?? '';
      return [{ service: name, guest: g, node, op: req.op }];
    });
  })).filter((w) => w.length > 0);
  return { kind: 'plan', group: req.group, op: req.op, waves: actionWaves, skipped, notes };
}

function groupBy(home: Homelab, names: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of names) {
    const g = home.byName.get(n)!.group;
    out.set(g, [...(out.get(g) ?? []), n].sort());
  }
  return out;
}

function dedupe(refusals: readonly Refusal[]): Refusal[] {
  const seen = new Set<string>();
  return refusals.filter((r) => (seen.has(r.message) ? false : (seen.add(r.message), true)));
}
