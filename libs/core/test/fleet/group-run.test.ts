import { afterEach, describe, expect, it } from 'vitest';
import { PveClient, Progress, planGroupOperation, pveSettingsFromEnv, readFleetState, runGroupPlan, serviceGraphFromNx, type GroupPlan } from '../../src/index.ts';
import { startPveTestServer, type FakeCluster, type PveTestServer } from '../pve/pve-test-server.ts';
import { clusterWhere, fleetHomelab, fleetNxGraph } from './fleet-fixture.ts';

const home = fleetHomelab();
const graph = serviceGraphFromNx(home, fleetNxGraph(home));
const servers: PveTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    expect(s.rejections).toEqual([]);
    expect(s.cannedFaults).toEqual([]);
    await s.close();
  }
});

async function setup(cluster: FakeCluster) {
  const server = await startPveTestServer(cluster);
  servers.push(server);
  const client = new PveClient(pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: server.endpoint, PROXMOX_VE_API_TOKEN: cluster.token }), { sleep: async () => {} });
  const lines: string[] = [];
  let t = 0;
  const progress = new Progress((l) => lines.push(l), () => (t += 1000));
  return { server, client, lines, progress };
}

function asPlan(p: GroupPlan): Extract<GroupPlan, { kind: 'plan' }> {
  if (p.kind !== 'plan') throw new Error(JSON.stringify(p));
  return p;
}

const posts = (s: PveTestServer): string[] => s.requests.filter((r) => r.method === 'POST').map((r) => `${r.path} ${JSON.stringify({ ...r.params, node: undefined, vmid: undefined })}`);

describe('running a group plan through the API', () => {
  it('stops media leaves first (mediasrv before dl), waiting for each task, with progress', async () => {
    const { server, client, lines, progress } = await setup(clusterWhere(home, (s) => s !== 'monitor' && s !== 'alerts'));
    const state = await readFleetState(client);
    const plan = asPlan(planGroupOperation(home, graph, state, { op: 'stop', group: 'media' }));
    const result = await runGroupPlan(plan, client, { progress, shutdownTimeoutSec: 90 });
    expect(result.failed).toEqual([]);
    expect(result.done.map((a) => a.service)).toEqual(['mediasrv', 'dl']);
    expect(posts(server)).toEqual([
      '/nodes/n1/lxc/203/status/shutdown {"timeout":"90"}',
      '/nodes/n2/lxc/202/status/shutdown {"timeout":"90"}',
    ]);
    // each shutdown is followed by task polls before the next one starts
    const order = server.requests.map((r) => `${r.method} ${r.template}`);
    expect(order.indexOf('POST /nodes/{node}/lxc/{vmid}/status/shutdown')).toBeLessThan(order.indexOf('GET /nodes/{node}/tasks/{upid}/status'));
    expect(server.cluster.guests.filter((g) => [202, 203].includes(g.vmid)).map((g) => g.status)).toEqual(['stopped', 'stopped']);
    expect(lines).toEqual([
      'wave 1/2: stopping mediasrv (lxc 203 on n1); waiting: dl',
      '  -> stop mediasrv (lxc 203 on n1)',
      '  ok   stop mediasrv (lxc 203 on n1) (1s)',
      'wave 2/2: stopping dl (lxc 202 on n2)',
      '  -> stop dl (lxc 202 on n2)',
      '  ok   stop dl (lxc 202 on n2) (1s)',
    ]);
  });

  it('starts kubernetes VMs (qemu) and uses forceStop only when asked', async () => {
    const { server, client, progress } = await setup(clusterWhere(home, (s) => s !== 'k8s'));
    const plan = asPlan(planGroupOperation(home, graph, await readFleetState(client), { op: 'start', group: 'kubernetes' }));
    await runGroupPlan(plan, client, { progress });
    expect(posts(server)).toEqual(['/nodes/n2/qemu/400/status/start {}', '/nodes/n1/qemu/411/status/start {}']);
    const stop = asPlan(planGroupOperation(home, graph, await readFleetState(client), { op: 'stop', group: 'kubernetes' }));
    await runGroupPlan(stop, client, { progress, force: true, shutdownTimeoutSec: 30 });
    expect(posts(server).slice(2)).toEqual(['/nodes/n2/qemu/400/status/shutdown {"forceStop":"1","timeout":"30"}', '/nodes/n1/qemu/411/status/shutdown {"forceStop":"1","timeout":"30"}']);
  });

  it('a failed task stops the walk: later waves never start, and the result says so', async () => {
    const { server, client, lines, progress } = await setup(clusterWhere(home, (s) => s !== 'monitor' && s !== 'alerts', { taskExit: { 203: 'command \'lxc-stop -n 203\' failed: exit code 1' } }));
    const plan = asPlan(planGroupOperation(home, graph, await readFleetState(client), { op: 'stop', group: 'media' }));
    const result = await runGroupPlan(plan, client, { progress });
    expect(result.done).toEqual([]);
    expect(result.failed.map((f) => f.message)).toEqual([expect.stringMatching(/^task UPID:n1:.*failed: command 'lxc-stop -n 203' failed: exit code 1$/)]);
    expect(result.notStarted.map((a) => a.service)).toEqual(['dl']);
    expect(posts(server)).toEqual(['/nodes/n1/lxc/203/status/shutdown {"timeout":"120"}']);
    expect(lines.at(-1)).toMatch(/^ {2}FAIL stop mediasrv \(lxc 203 on n1\) \(1s\): task UPID/);
  });

  it('runs a wave in parallel up to the bound', async () => {
    const { client, progress } = await setup(clusterWhere(home, () => true));
    let inFlight = 0;
    let max = 0;
    const slow = new Proxy(client, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'shutdown' || typeof v !== 'function') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        return async (...args: unknown[]) => {
          inFlight++;
          max = Math.max(max, inFlight);
          await new Promise((r) => setTimeout(r, 20));
          try { return await (v as (...a: unknown[]) => Promise<string>).apply(target, args); } finally { inFlight--; }
        };
      },
    });
    const plan = asPlan(planGroupOperation(home, graph, await readFleetState(client), { op: 'stop', group: 'kubernetes' }));
    const three = { ...plan, waves: [[...plan.waves[0]!, ...plan.waves[0]!, ...plan.waves[0]!]] };
    const result = await runGroupPlan(three, slow, { progress, parallel: 2 });
    expect(max).toBe(2);
    expect(result.done.length + result.failed.length).toBe(6);
  });
});

describe('Progress', () => {
  it('status names what is running (and for how long), what is done and what is waiting', () => {
    const lines: string[] = [];
    let t = 0;
    const p = new Progress((l) => lines.push(l), () => t);
    p.setWaiting(['c']);
    p.start('a');
    t = 65_000;
    p.start('b');
    p.finish('b', true);
    expect(p.status()).toBe('  .. running: a (1m05s); done: 1; waiting: c');
  });
});
