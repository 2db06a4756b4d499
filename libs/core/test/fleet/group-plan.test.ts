import { describe, expect, it } from 'vitest';
import { planGroupOperation, serviceGraphFromNx, type GroupPlan, type GroupRequest } from '../../src/index.ts';
import { fleetHomelab, fleetNxGraph, fleetSite, stateWhere } from './fleet-fixture.ts';

const home = fleetHomelab();
const graph = serviceGraphFromNx(home, fleetNxGraph(home));
const everythingRuns = stateWhere(home, () => true);
const nothingRuns = stateWhere(home, () => false);
const only = (...names: string[]) => stateWhere(home, (s) => names.includes(s));

function plan(req: GroupRequest, state = everythingRuns): GroupPlan {
  return planGroupOperation(home, graph, state, req);
}
function codes(p: GroupPlan): string[] {
  return p.kind === 'refused' ? p.refusals.map((r) => r.code) : [];
}
function message(p: GroupPlan, code: string): string {
  return p.kind === 'refused' ? p.refusals.find((r) => r.code === code)?.message ?? '' : '';
}
function waves(p: GroupPlan): string[][] {
  if (p.kind !== 'plan') throw new Error(`expected a plan, got ${JSON.stringify(p)}`);
  return p.waves.map((w) => w.map((a) => `${a.service}:${a.guest.vmid}@${a.node}`));
}

describe('bad input', () => {
  it('an unknown group lists the valid ones', () => {
    expect(plan({ op: 'stop', group: 'mediaa' })).toEqual({ kind: 'usage', message: 'unknown group "mediaa". Groups: core, storage, security, media, observability, smart-home, apps, kubernetes, special.' });
  });

  it('an unknown service lists the members of the group and every service', () => {
    const p = plan({ op: 'stop', group: 'special', services: ['zigbe'] });
    expect(p).toEqual({ kind: 'usage', message: `unknown service "zigbe". Members of special: radio, zigbee; all services: ${home.services.map((s) => s.name).join(', ')}.` });
  });

  it('a service of another group says which group it is in', () => {
    expect(plan({ op: 'stop', group: 'media', services: ['zigbee'] })).toEqual({ kind: 'usage', message: 'zigbee is in group special, not media. Members of media: dl, mediasrv. Use: homelab group stop special --service zigbee' });
  });
});

describe('group rules', () => {
  it('AlwaysOn: stopping core is refused unconditionally, even when nothing depends on it runs, even one member', () => {
    expect(codes(plan({ op: 'stop', group: 'core' }, only('proxy', 'idp')))).toEqual(['AlwaysOn']);
    expect(message(plan({ op: 'stop', group: 'core' }, only('proxy', 'idp')), 'AlwaysOn')).toBe('group core is always on (site.groups.core.alwaysOn): stop is refused unconditionally.');
    expect(codes(plan({ op: 'stop', group: 'core', services: ['idp'] }, only('proxy', 'idp')))).toEqual(['AlwaysOn']);
    expect(plan({ op: 'start', group: 'core' }, nothingRuns).kind).toBe('plan');
  });

  it('DependentsRunning: stopping storage while media runs fails and names the groups to stop first, leaves first', () => {
    const p = plan({ op: 'stop', group: 'storage' });
    expect(codes(p)).toEqual(['AlwaysOn', 'DependentsRunning']);
    expect(message(p, 'DependentsRunning')).toBe(
      'cannot stop storage while what depends on it runs: observability (alerts running, monitor running); media (dl running, mediasrv running); kubernetes (k8s running). '
      + 'Stop first, leaves first: homelab group stop observability, then homelab group stop media, then homelab group stop kubernetes',
    );
  });

  it('DependentsRunning on a group that may stop: media while observability runs, then allowed once it is stopped', () => {
    const p = plan({ op: 'stop', group: 'media' }, only('proxy', 'idp', 'nas', 'dl', 'mediasrv', 'monitor'));
    expect(codes(p)).toEqual(['DependentsRunning']);
    expect(message(p, 'DependentsRunning')).toContain('observability (alerts running, monitor running). Stop first, leaves first: homelab group stop observability');
    expect(waves(plan({ op: 'stop', group: 'media' }, only('proxy', 'idp', 'nas', 'dl', 'mediasrv')))).toEqual([['mediasrv:203@n1'], ['dl:202@n2']]);
  });

  it('DependenciesNotRunning: starting media while storage is stopped names what to start first, roots first', () => {
    const p = plan({ op: 'start', group: 'media' }, only('proxy', 'idp'));
    expect(codes(p)).toEqual(['DependenciesNotRunning']);
    expect(message(p, 'DependenciesNotRunning')).toBe('cannot start media before what it depends on runs: storage (nas stopped). Start first, roots first: homelab group start storage');
    expect(waves(plan({ op: 'start', group: 'media' }, only('proxy', 'idp', 'nas')))).toEqual([['dl:202@n2'], ['mediasrv:203@n1']]);
  });

  it('HardwareBound: a bulk operation over special refuses and lists the members; named members are allowed one by one', () => {
    for (const op of ['stop', 'start'] as const) {
      const p = plan({ op, group: 'special' }, op === 'stop' ? everythingRuns : only('proxy', 'idp'));
      expect(codes(p)).toEqual(['HardwareBound']);
      expect(message(p, 'HardwareBound')).toBe(`group special is hardware-bound: its members are excluded from bulk operations and are managed one by one. Members: radio, zigbee. Name each, e.g. homelab group ${op} special --service radio`);
    }
    expect(waves(plan({ op: 'stop', group: 'special', services: ['zigbee'] }))).toEqual([['zigbee:214@n2']]);
    expect(waves(plan({ op: 'start', group: 'special', services: ['radio'] }, only('proxy', 'idp')))).toEqual([['radio:210@n1']]);
  });

  it('SharedGuest: stopping monitor alone would stop alerts, which runs in its guest', () => {
    const p = plan({ op: 'stop', group: 'observability', services: ['monitor'] });
    expect(codes(p)).toContain('SharedGuest');
    expect(message(p, 'SharedGuest')).toBe("monitor's guest (vmid 205) also runs alerts (group observability), which this operation does not include; stopping the guest would stop it too. Include it, or leave the guest running.");
  });

  it('the whole observability group: the shared guest once, the Pi skipped (not a Proxmox guest)', () => {
    const p = plan({ op: 'stop', group: 'observability' });
    expect(waves(p)).toEqual([['monitor:205@n1']]);
    expect(p.kind === 'plan' && p.skipped).toEqual([
      { service: 'alerts', reason: "runs in monitor's guest (lxc 205), which this operation stops" },
      { service: 'dash', reason: 'not a Proxmox guest (kind external): manage it on its host' },
    ]);
  });

  it('NotDeployed: starting a guest the cluster does not have names the deploy to run', () => {
    const state = stateWhere(home, (s) => s !== 'vpn');
    const withoutVpn = { guests: new Map([...state.guests].filter(([vmid]) => vmid !== 208)) };
    const p = plan({ op: 'start', group: 'security' }, withoutVpn);
    expect(codes(p)).toEqual(['NotDeployed']);
    expect(message(p, 'NotDeployed')).toBe('vpn: guest lxc 208 is not on the cluster. Deploy it first: npx nx run @t/vpn:deploy');
  });

  it('a guest already in the wanted state is skipped; the node is where the API says the guest is', () => {
    const moved = stateWhere(home, (s) => s !== 'dl');
    const guests = new Map(moved.guests);
    guests.set(203, { ...guests.get(203)!, node: 'n2' });
    const p = plan({ op: 'stop', group: 'media' }, { guests: new Map([...guests].map(([k, v]) => [k, v])) });
    // observability still runs: stop it first in this state
    expect(codes(p)).toEqual(['DependentsRunning']);
    const p2 = plan({ op: 'stop', group: 'media' }, { guests: new Map([...guests].map(([k, v]) => [k, k === 205 ? { ...v, status: 'stopped' } : v])) });
    expect(waves(p2)).toEqual([['mediasrv:203@n2']]);
    expect(p2.kind === 'plan' && p2.skipped).toEqual([{ service: 'dl', reason: 'lxc 202 is already stopped' }]);
  });

  it('a service with several guests acts on all of them in one wave', () => {
    expect(waves(plan({ op: 'stop', group: 'kubernetes' }))).toEqual([['k8s:400@n2', 'k8s:411@n1']]);
  });

  it('without the API (dry run): the policy rules still apply, running-state checks are skipped and said so', () => {
    expect(codes(planGroupOperation(home, graph, undefined, { op: 'stop', group: 'storage' }))).toEqual(['AlwaysOn']);
    const p = planGroupOperation(home, graph, undefined, { op: 'stop', group: 'media' });
    expect(waves(p)).toEqual([['mediasrv:203@n1'], ['dl:202@n2']]);
    expect(p.kind === 'plan' && p.notes).toEqual(['running state unknown (the Proxmox API is not configured): dependents and dependencies were not checked.']);
  });

  it('a group without members has nothing to do', () => {
    const p = plan({ op: 'stop', group: 'smart-home' });
    expect(waves(p)).toEqual([]);
    expect(p.kind === 'plan' && p.notes).toEqual(['group smart-home has no members.']);
  });
});

/**
 * Every group of the site, each rule: stop with everything running, stop with only the group's
 * own members running, start with everything stopped, start with everything but the group running.
 */
describe.each(Object.keys(fleetSite.groups))('group %s', (group) => {
  const expected: Record<string, { stopAll: string[]; stopAlone: string[]; startNone: string[]; startRest: string[] }> = {
    core: { stopAll: ['AlwaysOn', 'DependentsRunning'], stopAlone: ['AlwaysOn'], startNone: [], startRest: [] },
    storage: { stopAll: ['AlwaysOn', 'DependentsRunning'], stopAlone: ['AlwaysOn'], startNone: [], startRest: [] },
    security: { stopAll: [], stopAlone: [], startNone: [], startRest: [] },
    media: { stopAll: ['DependentsRunning'], stopAlone: [], startNone: ['DependenciesNotRunning'], startRest: [] },
    observability: { stopAll: [], stopAlone: [], startNone: ['DependenciesNotRunning'], startRest: [] },
    'smart-home': { stopAll: [], stopAlone: [], startNone: [], startRest: [] },
    apps: { stopAll: [], stopAlone: [], startNone: ['DependenciesNotRunning'], startRest: [] },
    kubernetes: { stopAll: [], stopAlone: [], startNone: [], startRest: [] },
    special: { stopAll: ['HardwareBound'], stopAlone: ['HardwareBound'], startNone: ['HardwareBound', 'DependenciesNotRunning'], startRest: ['HardwareBound'] },
  };
  const members = home.services.filter((s) => s.group === group).map((s) => s.name);
  const e = expected[group]!;

  it('stop while everything runs', () => expect(codes(plan({ op: 'stop', group }))).toEqual(e.stopAll));
  it('stop while only its own members run', () => expect(codes(plan({ op: 'stop', group }, stateWhere(home, (s) => members.includes(s))))).toEqual(e.stopAlone));
  it('start while nothing runs', () => expect(codes(plan({ op: 'start', group }, nothingRuns))).toEqual(e.startNone));
  it('start while everything else runs', () => expect(codes(plan({ op: 'start', group }, stateWhere(home, (s) => !members.includes(s))))).toEqual(e.startRest));
});

describe('observers', () => {
  // The same homelab, but its monitor is an observer: it depends on what it scrapes to order
  // deploys, not to run.
  const observed = { ...home, services: home.services.map((s) => (s.name === 'monitor' ? { ...s, observer: true } : s)) };
  const observedHome = { ...observed, byName: new Map(observed.services.map((s) => [s.name, s])) };
  const observedGraph = serviceGraphFromNx(observedHome, fleetNxGraph(observedHome));
  const running = stateWhere(observedHome, (s) => ['proxy', 'idp', 'nas', 'dl', 'mediasrv', 'monitor'].includes(s));
  it('stopping what an observer watches does not wait for the observer', () => {
    expect(waves(planGroupOperation(observedHome, observedGraph, running, { op: 'stop', group: 'media' }))).toEqual([['mediasrv:203@n1'], ['dl:202@n2']]);
  });
  it('a non-observer dependent still blocks (the same state, monitor as a plain dependent)', () => {
    expect(codes(planGroupOperation(home, graph, stateWhere(home, (s) => ['proxy', 'idp', 'nas', 'dl', 'mediasrv', 'monitor'].includes(s)), { op: 'stop', group: 'media' }))).toEqual(['DependentsRunning']);
  });
  it('starting an observer does not wait for what it watches', () => {
    const p = planGroupOperation(observedHome, observedGraph, stateWhere(observedHome, (s) => ['proxy', 'idp'].includes(s)), { op: 'start', group: 'observability' });
    expect(codes(p)).not.toContain('DependenciesNotRunning');
  });
});
