import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ClusterUnhealthyError, PveClient, Progress, ToolFailedError, ToolNotFoundError, clusterHealth, execaRunner, planPatch, pveSettingsFromEnv, runPatchPlan,
  type PatchPlan, type ProcessRunner, type ToolCommand, type ToolResult,
} from '../../src/index.ts';
import { defaultCluster, startPveTestServer, type FakeCluster, type PveTestServer } from '../pve/pve-test-server.ts';
import { fleetHomelab } from './fleet-fixture.ts';

const home = fleetHomelab();
const servers: PveTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    expect(s.rejections).toEqual([]);
    expect(s.cannedFaults).toEqual([]);
    await s.close();
  }
});

function plan(layer: string, options: Parameters<typeof planPatch>[2] = {}): PatchPlan {
  const r = planPatch(home, layer, options);
  if (r.kind !== 'plan') throw new Error(r.message);
  return r.plan;
}

/** A runner that records every argv and answers from a script. */
function scripted(answer: (cmd: ToolCommand) => Partial<ToolResult> | Promise<Partial<ToolResult>> = () => ({})): ProcessRunner & { calls: string[] } {
  const calls: string[] = [];
  const runner = (async (cmd: ToolCommand) => {
    calls.push([cmd.file, ...cmd.args].join(' ').replace(/ssh -o BatchMode=yes -o ConnectTimeout=10 /, 'ssh '));
    return { exitCode: 0, stdout: '', stderr: '', ...(await answer(cmd)) };
  }) as ProcessRunner & { calls: string[] };
  runner.calls = calls;
  return runner;
}

async function api(cluster: FakeCluster): Promise<{ server: PveTestServer; client: PveClient }> {
  const server = await startPveTestServer(cluster);
  servers.push(server);
  return { server, client: new PveClient(pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: server.endpoint, PROXMOX_VE_API_TOKEN: cluster.token }), { sleep: async () => {} }) };
}

function clock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => { t += ms; } };
}

const isRebootCheck = (c: ToolCommand) => c.args.some((a) => a.includes('test -f /run/reboot-required'));
/** The remote command (the one argument after `--`). */
const remote = (c: ToolCommand): string => c.args[c.args.indexOf('--') + 1] ?? '';

describe('patch proxmox', () => {
  it('one node at a time; n2 needs a reboot: noout, reboot, back with a fresh uptime, unset noout; gates before each node and after the last', async () => {
    const { server, client } = await api(defaultCluster());
    const runner = scripted((cmd) => {
      if (isRebootCheck(cmd)) return { exitCode: cmd.args.includes('root@10.20.0.12') ? 0 : 1 };
      if (remote(cmd) === 'systemctl reboot') {
        server.cluster.nodes.find((n) => n.name === 'n2')!.uptime = 12;
        return { exitCode: 255, stderr: 'Connection to 10.20.0.12 closed by remote host.' };
      }
      return {};
    });
    const lines: string[] = [];
    const result = await runPatchPlan(plan('proxmox'), { runner, client, progress: new Progress((l) => lines.push(l)), ...clock() });
    expect(result.results.map((r) => [r.unit, r.ok, r.notes])).toEqual([
      ['n1 (10.20.0.11)', true, ['not needed: a reboot is needed']],
      ['n2 (10.20.0.12)', true, ['rebooted', 'Ceph noout restored']],
    ]);
    expect(runner.calls.map((c) => c.replace(/-- env DEBIAN.*dist-upgrade/, '-- <dist-upgrade>').replace(/-- sh -c .*test -f .*$/, '-- <reboot check>'))).toEqual([
      'ssh root@10.20.0.11 -- apt-get -q update',
      'ssh root@10.20.0.11 -- <dist-upgrade>',
      'ssh root@10.20.0.11 -- <reboot check>',
      'ssh root@10.20.0.12 -- apt-get -q update',
      'ssh root@10.20.0.12 -- <dist-upgrade>',
      'ssh root@10.20.0.12 -- <reboot check>',
      'ssh root@10.20.0.12 -- ceph osd set noout',
      'ssh root@10.20.0.12 -- systemctl reboot',
      // unset from the node that stayed up
      'ssh root@10.20.0.11 -- ceph osd unset noout',
    ]);
    const gates = server.requests.filter((r) => r.template === '/cluster/ceph/status').length;
    expect(gates).toBe(3);
    expect(server.requests.filter((r) => r.template === '/cluster/resources').map((r) => r.params.type)).toEqual(['node', 'node']);
  });

  it('waits at the gate while Ceph is not HEALTH_OK, saying why, then goes on', async () => {
    const { server, client } = await api(defaultCluster({ cephHealth: 'HEALTH_WARN', cephChecks: { OSD_DOWN: '1 osds down' } }));
    const c = clock();
    const lines: string[] = [];
    const runner = scripted((cmd) => (isRebootCheck(cmd) ? { exitCode: 1 } : {}));
    const sleep = async (ms: number) => { await c.sleep(ms); server.cluster.cephHealth = 'HEALTH_OK'; };
    const result = await runPatchPlan(plan('proxmox'), { runner, client, progress: new Progress((l) => lines.push(l)), now: c.now, sleep });
    expect(result.results.every((r) => r.ok)).toBe(true);
    expect(lines).toContain('  .. n1 (10.20.0.11): waiting (0 s): ceph: HEALTH_WARN (OSD_DOWN: 1 osds down)');
    expect(runner.calls[0]).toBe('ssh root@10.20.0.11 -- apt-get -q update');
  });

  it('a cluster that stays unhealthy stops the run before the node is touched, naming what is wrong', async () => {
    const { client } = await api(defaultCluster({ quorate: false, nodes: [{ name: 'n1', ip: '10.20.0.11', online: true, uptime: 9 }, { name: 'n2', ip: '10.20.0.12', online: false, uptime: 0 }] }));
    const runner = scripted();
    const result = await runPatchPlan(plan('proxmox'), { runner, client, progress: new Progress(() => {}), ...clock(), healthTimeoutMs: 60_000 });
    expect(result.results).toEqual([{ unit: 'n1 (10.20.0.11)', ok: false, notes: [], error: 'a healthy cluster not reached after 60 s: corosync: the cluster is not quorate; node offline: n2' }]);
    expect(result.notStarted).toEqual(['n2 (10.20.0.12)']);
    expect(runner.calls).toEqual([]);
  });

  it('a failing apt stops the serial run; the error names the step, the command and the stderr', async () => {
    const { client } = await api(defaultCluster());
    const runner = scripted((cmd) => (remote(cmd).endsWith('dist-upgrade') ? { exitCode: 100, stderr: 'E: dpkg was interrupted' } : {}));
    const result = await runPatchPlan(plan('proxmox'), { runner, client, progress: new Progress(() => {}), ...clock() });
    expect(result.results[0]!.ok).toBe(false);
    expect(result.results[0]!.error).toBe("n1: apt-get dist-upgrade: ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade' failed with exit code 100:\nE: dpkg was interrupted");
    expect(result.notStarted).toEqual(['n2 (10.20.0.12)']);
  });

  it('a rejected token at a gate fails at once (it will not heal by waiting)', async () => {
    const { server } = await api(defaultCluster());
    const bad = new PveClient(pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: server.endpoint, PROXMOX_VE_API_TOKEN: 'x@pve!y=wrong' }));
    const result = await runPatchPlan(plan('proxmox'), { runner: scripted(), client: bad, progress: new Progress(() => {}), ...clock() });
    expect(result.results[0]!.error).toMatch(/rejected the API token \(HTTP 401 invalid token value!\)\. Check PROXMOX_VE_API_TOKEN/);
  });
});

describe('parallel layers', () => {
  it('lxc runs at most --parallel containers at once, and one failure does not stop the others', async () => {
    let inFlight = 0;
    let max = 0;
    const runner = scripted(async (cmd) => {
      inFlight++;
      max = Math.max(max, inFlight);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      return remote(cmd) === 'pct exec 202 -- apt-get -q update' ? { exitCode: 100, stderr: 'E: Could not get lock' } : {};
    });
    const result = await runPatchPlan(plan('lxc', { parallel: 2 }), { runner, progress: new Progress(() => {}), ...clock() });
    expect(max).toBe(2);
    expect(result.results.filter((r) => !r.ok).map((r) => r.unit)).toEqual(['dl (lxc 202) on n2']);
    expect(result.results.filter((r) => r.ok)).toHaveLength(6);
  });

  it('pi reports a needed reboot as a note', async () => {
    const runner = scripted((cmd) => (remote(cmd) === 'test -f /run/reboot-required' ? { exitCode: 0 } : {}));
    const result = await runPatchPlan(plan('pi'), { runner, progress: new Progress(() => {}), ...clock() });
    expect(result.results).toEqual([{ unit: 'pi1 (10.20.0.50)', ok: true, notes: ['reboot required: ssh root@10.20.0.50 systemctl reboot when convenient'] }]);
  });
});

describe('the process runner (execa)', () => {
  const empty = mkdtempSync(join(tmpdir(), 'empty-path-'));

  it.each(['talosctl', 'ssh'])('a missing %s is a clear error, not a crash', async (tool) => {
    const runner = execaRunner({ PATH: empty });
    const error = await runner({ file: tool, args: ['version'], step: `patch: ${tool}` }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolNotFoundError);
    expect((error as Error).message).toMatch(new RegExp(`^patch: ${tool}: ${tool} is not installed or not on PATH\\. Install`));
  });

  it('a missing tool stops a patch run (it is not one unit\'s failure)', async () => {
    const runner = execaRunner({ PATH: empty });
    await expect(runPatchPlan(plan('talos', { image: 'ghcr.io/siderolabs/installer:v1.13.9' }), { runner, progress: new Progress(() => {}), ...clock() }))
      .rejects.toThrow('cluster health (from 10.20.0.101): talosctl is not installed or not on PATH. Install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/) and put it on PATH.');
  });

  it('returns any exit code with the output; a failure message has the step, the escaped command and stderr', async () => {
    const runner = execaRunner();
    const r = await runner({ file: 'sh', args: ['-c', 'echo out; echo boom >&2; exit 3'], step: 'demo' });
    expect(r).toEqual({ exitCode: 3, stdout: 'out', stderr: 'boom' });
    const e = new ToolFailedError({ file: 'sh', args: ['-c', 'echo out; echo boom >&2; exit 3'], step: 'demo' }, r);
    expect(e.message).toBe("demo: sh -c 'echo out; echo boom >&2; exit 3' failed with exit code 3:\nboom");
    expect(e.shortMessage).toBe('demo: exit code 3 (boom)');
  });
});

describe('cluster health', () => {
  it('lists every problem: quorum, offline nodes, Ceph checks', async () => {
    const { client } = await api(defaultCluster({
      quorate: false, cephHealth: 'HEALTH_ERR', cephChecks: { OSD_DOWN: '2 osds down', PG_DEGRADED: 'Degraded data redundancy' },
      nodes: [{ name: 'n1', ip: '10.20.0.11', online: true, uptime: 1 }, { name: 'n2', ip: '10.20.0.12', online: false, uptime: 0 }],
    }));
    expect(await clusterHealth(client)).toEqual({
      healthy: false,
      problems: ['corosync: the cluster is not quorate', 'node offline: n2', 'ceph: HEALTH_ERR (OSD_DOWN: 2 osds down; PG_DEGRADED: Degraded data redundancy)'],
    });
  });

  it('ClusterUnhealthyError says what was waited for', () => {
    expect(new ClusterUnhealthyError('a healthy cluster', ['ceph: HEALTH_WARN'], 1_200_000).message).toBe('a healthy cluster not reached after 1200 s: ceph: HEALTH_WARN');
  });
});
