/**
 * Issue 9's probes of `homelab patch`, at the runner: a compose path holding `;` stays one
 * argument on the remote side (a stand-in ssh that hands its command to a real `sh -c`, as sshd
 * does); Ceph `noout` is unset whatever happens (a node that never comes back, an interrupt) and
 * an unset that cannot be done is reported; the health gates ask a node that is not rebooting.
 */
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import {
  PveClient, Progress, buildHomelab, composeFile, execaRunner, formatPatchPlan, planPatch, pveSettingsFromEnv, runPatchPlan,
  type PatchPlan, type ToolCommand, type ToolResult,
} from '../../src/index.ts';
import { toYaml } from '../../src/render/yaml.ts';
import { entries } from '../fixtures/test-site.ts';
import { defaultCluster, startPveTestServer, type FakeCluster, type PveTestServer } from '../pve/pve-test-server.ts';
import { fleetHomelab, fleetSite } from './fleet-fixture.ts';

const servers: PveTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function api(cluster: FakeCluster): Promise<{ server: PveTestServer; client: PveClient }> {
  const server = await startPveTestServer(cluster);
  servers.push(server);
  return { server, client: new PveClient(pveSettingsFromEnv({ PROXMOX_VE_ENDPOINT: server.endpoint, PROXMOX_VE_API_TOKEN: cluster.token }), { sleep: async () => {} }) };
}

function planOf(r: ReturnType<typeof planPatch>): PatchPlan {
  if (r.kind !== 'plan') throw new Error(r.message);
  return r.plan;
}

const remote = (c: ToolCommand): string => c.args[c.args.indexOf('--') + 1] ?? '';
const clock = () => { let t = 0; return { now: () => t, sleep: async (ms: number) => { t += ms; } }; };

describe('patch docker: the remote command is quoted once, with the one helper', () => {
  const EVIL = '/opt/stacks/evil; touch pwned; echo/compose.yml';
  const home = buildHomelab(fleetSite, entries({
    name: 'evil', description: 'a compose path holding a shell command', kind: 'lxc', tier: 'normal', group: 'apps', docker: true,
    resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 8 }] }, placement: 'mediasrv',
    files: () => [{ path: EVIL, format: 'compose', mode: '0644', content: toYaml(composeFile({ name: 'evil', services: { web: { image: 'example/web:1' } } })) }],
  }), { rules: [] });

  /** A stand-in ssh that does what ssh and sshd do: join the words after `--` with spaces, run them with `sh -c` (here, in $REMOTE_DIR). */
  function standIns(): { bin: string; remoteDir: string; log: string } {
    const bin = mkdtempSync(join(tmpdir(), 'fleet-standins-'));
    const remoteDir = mkdtempSync(join(tmpdir(), 'fleet-remote-'));
    const log = join(bin, 'docker.log');
    writeFileSync(join(bin, 'ssh'), '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done; shift\ncd "$REMOTE_DIR" && exec sh -c "$*"\n');
    // The remote docker: one line per argument, so "one argument" is visible.
    writeFileSync(join(bin, 'docker'), `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > ${JSON.stringify(log)}\n`);
    for (const f of ['ssh', 'docker']) chmodSync(join(bin, f), 0o755);
    return { bin, remoteDir, log };
  }

  it('a compose path with `; touch pwned` reaches the remote docker as one argument, and nothing is created', async () => {
    const plan = planOf(planPatch(home, 'docker', { services: ['evil'] }));
    const pull = plan.units[0]!.steps[0]!;
    if (pull.kind !== 'run') throw new Error('the first step runs a command');
    const { bin, remoteDir, log } = standIns();
    const runner = execaRunner({ PATH: `${bin}:${dirname(process.execPath)}:/usr/bin:/bin`, REMOTE_DIR: remoteDir });
    const result = await runner(pull.cmd);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(remoteDir)).toEqual([]);
    expect(readFileSync(log, 'utf8').split('\n').filter(Boolean)).toEqual(['compose', '-f', EVIL, 'pull']);
  });

  it('what --dry-run prints, typed into a shell, runs the very argv the runner runs', () => {
    const plan = planOf(planPatch(home, 'docker', { services: ['evil'] }));
    const pull = plan.units[0]!.steps[0]!;
    if (pull.kind !== 'run') throw new Error('the first step runs a command');
    const shown = formatPatchPlan(plan).find((l) => l.trim().startsWith('run') && l.includes(' pull'))!.replace(/^\s*run\s+/, '');
    // A shell splits the shown line back into words: they are the argv, word for word.
    const words = spawnSync('sh', ['-c', `for a in ${shown}; do printf '%s\\n' "$a"; done`], { encoding: 'utf8' }).stdout;
    expect(words).toBe(`${[pull.cmd.file, ...pull.cmd.args].join('\n')}\n`);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
  });
});

describe('patch proxmox: Ceph noout is always unset', () => {
  const home = fleetHomelab();
  const plan = planOf(planPatch(home, 'proxmox'));
  /** n2 (the Ceph OSD node) needs a reboot; n1 does not. */
  const rebootOnlyN2 = (cmd: ToolCommand): Partial<ToolResult> | undefined => (remote(cmd).includes('test -f /run/reboot-required') ? { exitCode: cmd.args.includes('root@10.20.0.12') ? 0 : 1 } : undefined);

  it('a node that never comes back: the health timeout fails the node, and noout is unset from the node that stayed up', async () => {
    const { server, client } = await api(defaultCluster());
    const calls: string[] = [];
    const runner = async (cmd: ToolCommand): Promise<ToolResult> => {
      calls.push(`${cmd.args.find((a) => a.startsWith('root@'))} ${remote(cmd)}`);
      const scripted = rebootOnlyN2(cmd);
      if (scripted) return { exitCode: 0, stdout: '', stderr: '', ...scripted };
      if (remote(cmd) === 'systemctl reboot') {
        server.cluster.nodes.find((n) => n.name === 'n2')!.online = false; // and it stays down
        return { exitCode: 255, stdout: '', stderr: 'Connection closed by remote host.' };
      }
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const result = await runPatchPlan(plan, { runner, client, progress: new Progress(() => {}), ...clock(), healthTimeoutMs: 60_000 });
    expect(result.results.at(-1)).toMatchObject({ unit: 'n2 (10.20.0.12)', ok: false, error: expect.stringContaining('n2 back online after its reboot not reached after 60 s: n2 is offline') });
    expect(calls.slice(-2)).toEqual(['root@10.20.0.12 systemctl reboot', 'root@10.20.0.11 ceph osd unset noout']);
    expect(result.stillSet).toEqual([]);
  });

  it('when no node can unset it, the result says it is still set and how to clear it', async () => {
    const { server, client } = await api(defaultCluster());
    const runner = async (cmd: ToolCommand): Promise<ToolResult> => {
      const scripted = rebootOnlyN2(cmd);
      if (scripted) return { exitCode: 0, stdout: '', stderr: '', ...scripted };
      if (remote(cmd) === 'systemctl reboot') { server.cluster.nodes.find((n) => n.name === 'n2')!.online = false; return { exitCode: 255, stdout: '', stderr: '' }; }
      if (remote(cmd) === 'ceph osd unset noout') return { exitCode: 255, stdout: '', stderr: 'ssh: connect to host: No route to host' };
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const result = await runPatchPlan(plan, { runner, client, progress: new Progress(() => {}), ...clock(), healthTimeoutMs: 60_000 });
    expect(result.stillSet).toEqual([{
      unit: 'n2 (10.20.0.12)', what: 'Ceph noout', clear: 'ssh root@10.20.0.11 -- ceph osd unset noout',
      reasons: ['n2: ceph osd unset noout (on n1): exit code 255 (ssh: connect to host: No route to host)', 'n2: ceph osd unset noout (on n2): exit code 255 (ssh: connect to host: No route to host)'],
    }]);
  });

  it('an interrupt during the reboot wait still unsets noout (the undo is not interrupted), and starts nothing else', async () => {
    const { server, client } = await api(defaultCluster());
    const interrupt = new AbortController();
    const calls: { remote: string; interruptible: boolean }[] = [];
    const runner = async (cmd: ToolCommand, signals?: { signal?: AbortSignal }): Promise<ToolResult> => {
      calls.push({ remote: remote(cmd), interruptible: signals?.signal !== undefined });
      const scripted = rebootOnlyN2(cmd);
      if (scripted) return { exitCode: 0, stdout: '', stderr: '', ...scripted };
      if (remote(cmd) === 'systemctl reboot') { server.cluster.nodes.find((n) => n.name === 'n2')!.online = false; return { exitCode: 255, stdout: '', stderr: '' }; }
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const c = clock();
    const sleep = async (ms: number) => { await c.sleep(ms); interrupt.abort(); };
    const result = await runPatchPlan(plan, { runner, client, progress: new Progress(() => {}), now: c.now, sleep, signal: interrupt.signal });
    expect(result.interrupted).toBe(true);
    expect(result.results.at(-1)).toMatchObject({ ok: false, error: 'n2 (10.20.0.12): interrupted (waiting for n2 back online after its reboot)' });
    expect(calls.at(-1)).toEqual({ remote: 'ceph osd unset noout', interruptible: false });
    expect(result.stillSet).toEqual([]);
  });
});

describe('patch proxmox: cluster health is asked of a node that is not rebooting', () => {
  it('each gate and reboot wait asks the other nodes in turn, never the node being patched', async () => {
    const three = fleetHomelab({ ...fleetSite, nodes: [...fleetSite.nodes, { ...fleetSite.nodes[0]!, name: 'n3', ip: '10.20.0.13' }] });
    const { server, client } = await api(defaultCluster({ nodes: ['n1', 'n2', 'n3'].map((name, i) => ({ name, ip: `10.20.0.1${i + 1}`, online: true, uptime: 86_400 })) }));
    const asked: { patching: string; asked: string }[] = [];
    let patching = '';
    const runner = async (cmd: ToolCommand): Promise<ToolResult> => {
      patching = cmd.step.split(':')[0]!;
      if (remote(cmd).includes('test -f /run/reboot-required')) return { exitCode: 0, stdout: '', stderr: '' };
      if (remote(cmd) === 'systemctl reboot') server.cluster.nodes.find((n) => n.name === patching)!.uptime = 5;
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const result = await runPatchPlan(planOf(planPatch(three, 'proxmox')), {
      runner, progress: new Progress(() => {}), ...clock(),
      clientFor: (node) => { asked.push({ patching, asked: node }); return client; },
    });
    expect(result.results.every((r) => r.ok)).toBe(true);
    expect(asked.length).toBeGreaterThan(6);
    // Before the first command runs, `patching` is still '' (the first gate, of n1's unit).
    expect(asked.filter((a) => a.patching === a.asked)).toEqual([]);
    expect(asked[0]).toEqual({ patching: '', asked: 'n2' });
  });
});
