/**
 * The fleet commands end to end, on the fixture homelab (libs/core/test/fleet/fleet-fixture.ts)
 * and the schema-checking Proxmox test server: argument handling, exit codes, messages.
 */
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DeployLockBusyError, acquireDeployLocks, type ProcessRunner } from '@homelab/core';
import { EXIT, runFleet, type FleetDeps } from '../../src/commands/fleet.ts';
import { clusterWhere, fleetHomelab, fleetNxGraph, fleetSite } from '../../../../libs/core/test/fleet/fleet-fixture.ts';
import { startPveTestServer, type FakeCluster, type PveTestServer } from '../../../../libs/core/test/pve/pve-test-server.ts';

const home = fleetHomelab();
const servers: PveTestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    expect(s.rejections).toEqual([]);
    expect(s.cannedFaults).toEqual([]);
    await s.close();
  }
});

interface Run {
  code: number;
  out: string[];
  err: string[];
  calls: string[];
  /** Nodes whose own API endpoint the run asked for (the health gates). */
  asked: string[];
  env: Record<string, string>;
}

async function run(argv: string[], opts: { cluster?: FakeCluster; env?: Record<string, string>; tools?: string[]; runner?: ProcessRunner; graphFails?: boolean; global?: { dryRun?: boolean; services?: string[] }; deps?: Partial<FleetDeps> } = {}): Promise<Run & { server?: PveTestServer }> {
  let server: PveTestServer | undefined;
  const env: Record<string, string> = { PATH: '/usr/bin', HOMELAB_STATE_DIR: mkdtempSync(join(tmpdir(), 'state-')), ...opts.env };
  if (opts.cluster) {
    server = await startPveTestServer(opts.cluster);
    servers.push(server);
    env.PROXMOX_VE_ENDPOINT ??= server.endpoint;
    env.PROXMOX_VE_API_TOKEN ??= opts.cluster.token;
  }
  const out: string[] = [];
  const err: string[] = [];
  const calls: string[] = [];
  const asked: string[] = [];
  let t = 0;
  const deps: FleetDeps = {
    env,
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    loadSite: async () => fleetSite,
    loadHomelab: async () => home,
    readGraph: async () => {
      if (opts.graphFails) throw new Error('the Nx project graph could not be read (devkit: Cannot find module \'@nx/devkit\'; cli: nx is not installed or not on PATH)');
      return { graph: fleetNxGraph(home), method: 'devkit', elapsedMs: 42 };
    },
    runner: opts.runner ?? (async (cmd) => { calls.push([cmd.file, ...cmd.args].join(' ')); return { exitCode: cmd.args.some((a) => a.includes('test -f')) ? 1 : 0, stdout: '', stderr: '' }; }),
    findTool: (tool) => ((opts.tools ?? ['ssh', 'talosctl']).includes(tool) ? `/usr/bin/${tool}` : undefined),
    sleep: async () => {},
    now: () => (t += 500),
    pollMs: 1,
    // Every node's own API is the test server; which node was asked is recorded.
    nodeEndpoint: (node) => { asked.push(node.name); return server!.endpoint; },
    ...(opts.deps ?? {}),
  };
  const [command, ...rest] = argv;
  const code = await runFleet(command!, { root: '/repo', services: opts.global?.services ?? [], dryRun: opts.global?.dryRun ?? false, json: false, argv: rest }, deps);
  return { code, out, err, calls, asked, env, ...(server ? { server } : {}) };
}

const everything = () => clusterWhere(home, () => true);

describe('homelab group', () => {
  it('list: groups with flags, group dependencies, members and their state', async () => {
    const r = await run(['group', 'list'], { cluster: clusterWhere(home, (s) => s !== 'vpn') });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out[0]).toMatch(/^GROUP\s+FLAGS\s+DEPENDS ON\s+STATE\s+MEMBERS$/);
    expect(r.out.find((l) => l.startsWith('storage'))).toMatch(/^storage\s+always-on\s+-\s+running\s+ceph:n\/a nas:running$/);
    expect(r.out.find((l) => l.startsWith('media'))).toMatch(/^media\s+-\s+storage\s+running\s+dl:running mediasrv:running$/);
    expect(r.out.find((l) => l.startsWith('security'))).toMatch(/^security\s+-\s+-\s+stopped\s+vpn:stopped$/);
    expect(r.out.find((l) => l.startsWith('special'))).toMatch(/^special\s+hardware-bound\s+core\s+running/);
    expect(r.out.at(-1)).toBe('graph: Nx project graph (devkit, 42 ms)');
  });

  it('list --json, without the API: the graph source and no state', async () => {
    const r = await run(['group', 'list', '--json']);
    const json = JSON.parse(r.out.join('\n')) as { graph: { source: string }; groups: { name: string; dependsOn: string[]; state: unknown }[] };
    expect(json.graph.source).toBe('nx');
    expect(json.groups.find((g) => g.name === 'observability')).toMatchObject({ dependsOn: ['core', 'media'], state: null });
  });

  it('stop media: leaves first through the API, with progress', async () => {
    const r = await run(['group', 'stop', 'media', '--timeout', '60'], { cluster: clusterWhere(home, (s) => !['monitor', 'alerts'].includes(s)) });
    expect(r.err).toEqual([]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.server!.requests.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual(['/nodes/n1/lxc/203/status/shutdown', '/nodes/n2/lxc/202/status/shutdown']);
    expect(r.out).toEqual(expect.arrayContaining([
      'group stop media: 2 guest(s) in 2 wave(s), leaves first',
      'wave 1/2: stopping mediasrv (lxc 203 on n1); waiting: dl',
      'wave 2/2: stopping dl (lxc 202 on n2)',
      'group stop media: 2 done, 0 failed, 0 not started',
    ]));
  });

  it('start media --dry-run: the order and the API calls, nothing sent', async () => {
    const r = await run(['group', 'start', 'media', '--dry-run'], { cluster: clusterWhere(home, (s) => !['dl', 'mediasrv'].includes(s)) });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toEqual([
      'start media (roots first): 2 waves, 2 guests',
      'wave 1:',
      '  dl        lxc 202  on n2  POST /nodes/n2/lxc/202/status/start',
      'wave 2:',
      '  mediasrv  lxc 203  on n1  POST /nodes/n1/lxc/203/status/start',
      '(dry run: nothing was started)',
    ]);
    expect(r.server!.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('flags given before the command (homelab --dry-run -s zigbee group stop special) count too', async () => {
    const r = await run(['group', 'stop', 'special'], { cluster: everything(), global: { dryRun: true, services: ['zigbee'] } });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out[0]).toBe('stop special (leaves first): 1 wave, 1 guest');
    expect(r.server!.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('special --service zigbee: a hardware-bound member, named, is stopped alone', async () => {
    const r = await run(['group', 'stop', 'special', '--service', 'zigbee'], { cluster: everything() });
    expect(r.code).toBe(EXIT.ok);
    expect(r.server!.requests.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual(['/nodes/n2/lxc/214/status/shutdown']);
  });
});

describe('refusals and bad input: exit code and message', () => {
  it.each([
    ['unknown group', ['group', 'stop', 'nosuch'], EXIT.usage, 'homelab: unknown group "nosuch". Groups: core, storage, security, media, observability, smart-home, apps, kubernetes, special.'],
    ['unknown service', ['group', 'stop', 'special', '--service', 'zigbe'], EXIT.usage, 'homelab: unknown service "zigbe". Members of special: radio, zigbee;'],
    ['stopping an always-on group', ['group', 'stop', 'core'], EXIT.refused, '  AlwaysOn: group core is always on (site.groups.core.alwaysOn): stop is refused unconditionally.'],
    ['stopping storage while media runs', ['group', 'stop', 'storage'], EXIT.refused, '  DependentsRunning: cannot stop storage while what depends on it runs: observability (alerts running, monitor running); media (dl running, mediasrv running)'],
    ['a bulk stop of the hardware-bound group', ['group', 'stop', 'special'], EXIT.refused, '  HardwareBound: group special is hardware-bound: its members are excluded from bulk operations and are managed one by one. Members: radio, zigbee.'],
    ['a bulk start of the hardware-bound group', ['group', 'start', 'special'], EXIT.refused, '  HardwareBound: group special is hardware-bound'],
    ['an unknown flag', ['group', 'stop', 'media', '--forse'], EXIT.usage, "homelab: Unknown option '--forse'"],
    ['a bad --parallel', ['group', 'stop', 'media', '--parallel', 'many'], EXIT.usage, 'homelab: --parallel must be a positive whole number; received "many".'],
    ['a missing group', ['group', 'stop'], EXIT.usage, 'homelab: group stop needs a group. Groups: core, storage'],
    ['an unknown patch layer', ['patch', 'kernel'], EXIT.usage, 'homelab: unknown patch layer "kernel". Layers: proxmox, lxc, docker, talos, pi.'],
    ['patch talos without an image', ['patch', 'talos'], EXIT.usage, 'homelab: patch talos needs --image <installer image>'],
    ['status of an unknown service', ['status', '--service', 'nope'], EXIT.usage, 'homelab: unknown service "nope". Services: '],
  ])('%s', async (_name, argv, code, message) => {
    const r = await run(argv, { cluster: everything() });
    expect(r.code).toBe(code);
    expect(r.err.join('\n')).toContain(message);
    expect(r.server!.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('the refusal for storage names every reason at once and how to proceed', async () => {
    const r = await run(['group', 'stop', 'storage'], { cluster: everything() });
    expect(r.err[0]).toBe('homelab: group stop storage refused:');
    expect(r.err.slice(1).map((l) => l.split(':')[0]!.trim())).toEqual(['AlwaysOn', 'DependentsRunning']);
    expect(r.err[2]).toContain('Stop first, leaves first: homelab group stop observability, then homelab group stop media, then homelab group stop kubernetes');
  });
});

describe('faults', () => {
  it('group stop without the API configured: exit 4, naming the variables', async () => {
    const r = await run(['group', 'stop', 'media']);
    expect(r.code).toBe(EXIT.notConfigured);
    expect(r.err.join('\n')).toContain(`homelab group stop starts and stops guests through the Proxmox API: PROXMOX_VE_API_TOKEN is not exported and no token is stored in ${r.env.HOMELAB_STATE_DIR}/secrets/proxmox-api-token (no service of this homelab creates one (none provides the hypervisor): export PROXMOX_VE_API_TOKEN as user@realm!tokenid=secret) (or use --dry-run to see the order).`);
  });

  it('the rules that need no live state answer before the API is asked for: exit 3, not 4', async () => {
    for (const [argv, code] of [[['group', 'stop', 'special'], 'HardwareBound'], [['group', 'stop', 'core'], 'AlwaysOn']] as const) {
      const r = await run([...argv]);
      expect(r.code).toBe(EXIT.refused);
      expect(r.err[1]).toMatch(new RegExp(`^  ${code}: `));
    }
  });

  it('--dry-run works without the API and says what it could not check', async () => {
    const r = await run(['group', 'stop', 'media', '--dry-run']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('note: running state unknown (the Proxmox API is not configured): dependents and dependencies were not checked.');
  });

  it('an unreachable endpoint: exit 1, naming the endpoint', async () => {
    const port = await freePort();
    const r = await run(['group', 'stop', 'media'], { env: { PROXMOX_VE_ENDPOINT: `https://127.0.0.1:${port}/`, PROXMOX_VE_API_TOKEN: 'a@pve!b=c' } });
    expect(r.code).toBe(EXIT.failed);
    expect(r.err).toEqual([`homelab: cannot reach the Proxmox API at https://127.0.0.1:${port}/api2/json: connection refused. Check PROXMOX_VE_ENDPOINT (it must be the URL of a cluster node, e.g. https://192.0.2.10:8006/) and that the node is up.`]);
  });

  it('an always-on refusal is still a refusal when the endpoint is unreachable (exit 3, and it says the live rules went unchecked)', async () => {
    const port = await freePort();
    const r = await run(['group', 'stop', 'core'], { env: { PROXMOX_VE_ENDPOINT: `http://127.0.0.1:${port}/`, PROXMOX_VE_API_TOKEN: 'a@pve!b=c' } });
    expect(r.code).toBe(EXIT.refused);
    expect(r.err[0]).toMatch(/^homelab: the live rules were not checked: cannot reach the Proxmox API at http:\/\/127\.0\.0\.1:\d+\/api2\/json: connection refused/);
    expect(r.err[2]).toMatch(/^  AlwaysOn: /);
  });

  it('a rejected token (401): exit 1, saying to check PROXMOX_VE_API_TOKEN', async () => {
    const r = await run(['status'], { cluster: everything(), env: { PROXMOX_VE_API_TOKEN: 'homelab@pve!fleet=Zq9-not-the-secret' } });
    expect(r.code).toBe(EXIT.failed);
    expect(r.err.join('\n')).toMatch(/rejected the API token \(HTTP 401 invalid token value!\)\. Check PROXMOX_VE_API_TOKEN: it must be <user>@<realm>!<tokenid>=<secret>/);
    expect(r.err.join('\n')).not.toContain('Zq9');
  });

  it('a missing tool (talosctl): exit 4 before anything runs', async () => {
    const r = await run(['patch', 'talos', '--image', 'ghcr.io/siderolabs/installer:v1.13.9'], { tools: ['ssh'] });
    expect(r.code).toBe(EXIT.notConfigured);
    expect(r.err).toEqual(['homelab: homelab patch talos: talosctl is not installed or not on PATH. Install talosctl (https://www.talos.dev/latest/talos-guides/install/talosctl/) and put it on PATH.']);
    expect(r.calls).toEqual([]);
  });

  it('a missing tool (ssh): exit 4 for patch lxc', async () => {
    const r = await run(['patch', 'lxc'], { tools: [] });
    expect(r.code).toBe(EXIT.notConfigured);
    expect(r.err[0]).toMatch(/^homelab: homelab patch lxc: ssh is not installed or not on PATH\./);
  });

  it('patch proxmox needs the API for its health gates: exit 4 without it', async () => {
    const r = await run(['patch', 'proxmox']);
    expect(r.code).toBe(EXIT.notConfigured);
    expect(r.err.join('\n')).toContain(`homelab patch proxmox waits for the cluster to be healthy through the Proxmox API: PROXMOX_VE_API_TOKEN is not exported and no token is stored in ${r.env.HOMELAB_STATE_DIR}/secrets/proxmox-api-token (`);
  });

  it('Nx not available: loud warning, the model\'s dependsOn is used, the operation still works', async () => {
    const r = await run(['group', 'list'], { graphFails: true });
    expect(r.code).toBe(EXIT.ok);
    expect(r.err.slice(0, 3)).toEqual([
      'homelab: WARNING: the Nx project graph is NOT available:',
      "homelab: WARNING:   the Nx project graph could not be read (devkit: Cannot find module '@nx/devkit'; cli: nx is not installed or not on PATH)",
      "homelab: WARNING: falling back to the services' dependsOn from the model for the dependency order.",
    ]);
    expect(r.out.at(-1)).toBe('graph: the model (Nx was not available)');
  });
});

describe('homelab patch', () => {
  it('--dry-run prints the ordered commands and runs none', async () => {
    const r = await run(['patch', 'docker', '--dry-run']);
    expect(r.code).toBe(EXIT.ok);
    expect(r.out.slice(0, 5)).toEqual([
      'homelab patch docker: pull and restart 2 Compose stacks, one at a time (serial)',
      '[1/2] mediasrv: /opt/stacks/mediasrv on mediasrv (10.20.0.33)',
      "  run     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.33 -- 'docker compose -f /opt/stacks/mediasrv/compose.yml pull'",
      "  run     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.33 -- 'docker compose -f /opt/stacks/mediasrv/compose.yml up -d --remove-orphans'",
      "  run     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.33 -- 'docker image prune -f'",
    ]);
    expect(r.out.at(-1)).toBe('(dry run: nothing was run)');
    expect(r.calls).toEqual([]);
  });

  it('proxmox with the API: gates, apt, in node order; exit 0', async () => {
    const r = await run(['patch', 'proxmox'], { cluster: everything() });
    expect(r.code).toBe(EXIT.ok);
    expect(r.calls.filter((c) => c.includes('apt-get -q update'))).toEqual([
      'ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- apt-get -q update',
      'ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.12 -- apt-get -q update',
    ]);
    expect(r.out.at(-1)).toBe('patch proxmox: 2 done, 0 failed, 0 not started');
  });

  it('lxc --parallel 2 with the API skips the stopped containers', async () => {
    const r = await run(['patch', 'lxc', '--parallel', '2'], { cluster: clusterWhere(home, (s) => s !== 'vpn') });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain('skip vpn (lxc 208): stopped: pct exec needs it running');
    expect(r.calls.some((c) => c.includes('pct exec 208'))).toBe(false);
    expect(r.calls.filter((c) => c.includes('pct exec')).length).toBe(12);
  });

  it('a failure exits 1 and names it', async () => {
    const pull = (args: readonly string[]) => args.at(-1)!.endsWith(' pull');
    const runner: ProcessRunner = async (cmd) => ({ exitCode: pull(cmd.args) ? 1 : 0, stdout: '', stderr: pull(cmd.args) ? 'manifest unknown' : '' });
    const r = await run(['patch', 'docker'], { runner });
    expect(r.code).toBe(EXIT.failed);
    expect(r.err[0]).toBe("homelab: mediasrv (/opt/stacks/mediasrv): docker compose pull: ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.33 -- 'docker compose -f /opt/stacks/mediasrv/compose.yml pull' failed with exit code 1:\nmanifest unknown");
    expect(r.err).toContain('homelab: not started (serial, stopped at the first failure): monitor: /opt/stacks/monitoring on monitor (10.20.0.35)');
  });
});

describe('homelab status', () => {
  it('what runs where, deployed against repository versions', async () => {
    const r = await run(['status'], { cluster: clusterWhere(home, (s) => s !== 'vpn') });
    expect(r.code).toBe(EXIT.ok);
    expect(r.out.find((l) => l.startsWith('vpn'))).toMatch(/^vpn\s+security\s+lxc 208\s+n1\s+stopped\s+-\s+1\.2\.3\s+1\.2\.3\s+current$/);
    expect(r.server!.requests.map((q) => `${q.method} ${q.template} ${JSON.stringify(q.params)}`)).toEqual(['GET /cluster/resources {"type":"vm"}']);
  });

  it('without the API: what the repository and records say, and exit 4', async () => {
    const r = await run(['status', '--json']);
    expect(r.code).toBe(EXIT.notConfigured);
    expect(JSON.parse(r.out.join('\n'))).toMatchObject({ live: false });
    expect(r.err).toEqual([`homelab: live state unknown: PROXMOX_VE_API_TOKEN is not exported and no token is stored in ${r.env.HOMELAB_STATE_DIR}/secrets/proxmox-api-token (no service of this homelab creates one (none provides the hypervisor): export PROXMOX_VE_API_TOKEN as user@realm!tokenid=secret) (shown: repository and recorded versions only).`]);
  });
});

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('issue 9: locks, the management VPN, --ssh-user, noout', () => {
  const holdLocks = (env: Record<string, string>, names: string[]) => acquireDeployLocks(env.HOMELAB_STATE_DIR!, names, { command: ['homelab', 'patch', 'proxmox'] });

  it('patch takes the fleet lock and the deploy locks of the services it touches: a deploy of one of them is refused meanwhile; all released after', async () => {
    const state = mkdtempSync(join(tmpdir(), 'state-'));
    const seen: string[] = [];
    const runner: ProcessRunner = async () => {
      if (!seen.length) {
        seen.push(...readdirSync(join(state, 'locks')).sort());
        const deploy = await acquireDeployLocks(state, ['mediasrv']).catch((e: unknown) => e);
        expect(deploy).toBeInstanceOf(DeployLockBusyError);
      }
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const r = await run(['patch', 'docker'], { runner, env: { HOMELAB_STATE_DIR: state } });
    expect(r.code).toBe(EXIT.ok);
    expect(seen).toEqual(['@fleet.lock', 'alerts.lock', 'mediasrv.lock', 'monitor.lock']);
    expect(readdirSync(join(state, 'locks'))).toEqual([]);
  });

  it('a second patch while one runs is refused at once (exit 3), naming the holder, and runs nothing', async () => {
    const r0 = await run(['patch', 'docker', '--dry-run']);
    const held = await holdLocks(r0.env, ['@fleet']);
    const r = await run(['patch', 'proxmox'], { cluster: everything(), env: { HOMELAB_STATE_DIR: r0.env.HOMELAB_STATE_DIR! } });
    await held.release();
    expect(r.code).toBe(EXIT.refused);
    expect(r.err.join('\n')).toMatch(new RegExp(`^homelab: refused: @fleet: another deploy holds the lock \\S+@fleet\\.lock: pid ${process.pid} on \\S+ since \\S+ \\(homelab patch proxmox\\)\\. Nothing was changed\\.`));
    expect(r.calls).toEqual([]);
  });

  it('group stop is refused while a deploy of one of its services holds its lock', async () => {
    const r0 = await run(['patch', 'docker', '--dry-run']);
    const held = await acquireDeployLocks(r0.env.HOMELAB_STATE_DIR!, ['dl'], { command: ['homelab', 'deploy', '-s', 'dl'] });
    const r = await run(['group', 'stop', 'media'], { cluster: clusterWhere(home, (s) => !['monitor', 'alerts'].includes(s)), env: { HOMELAB_STATE_DIR: r0.env.HOMELAB_STATE_DIR! } });
    await held.release();
    expect(r.code).toBe(EXIT.refused);
    expect(r.err.join('\n')).toContain('homelab: refused: dl: another deploy holds the lock');
    expect(r.server!.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('--dry-run takes no lock but says who holds one', async () => {
    const r0 = await run(['patch', 'docker', '--dry-run']);
    const held = await acquireDeployLocks(r0.env.HOMELAB_STATE_DIR!, ['mediasrv'], { command: ['homelab', 'deploy', '-s', 'mediasrv'] });
    const r = await run(['patch', 'docker', '--dry-run'], { env: { HOMELAB_STATE_DIR: r0.env.HOMELAB_STATE_DIR! } });
    const locks = readdirSync(join(r0.env.HOMELAB_STATE_DIR!, 'locks'));
    await held.release();
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContainEqual(expect.stringMatching(new RegExp(`^note: the deploy lock of mediasrv \\(\\S+mediasrv\\.lock\\) is held by pid ${process.pid} on \\S+ since \\S+ \\(homelab deploy -s mediasrv\\): the real patch docker would be refused\\.$`)));
    expect(locks).toEqual(['mediasrv.lock']);
  });

  it('group stop of the management VPN without a terminal is refused, naming the flag; --confirm-vpn-stop stops it', async () => {
    const refused = await run(['group', 'stop', 'security'], { cluster: everything(), deps: { isTTY: false } });
    expect(refused.code).toBe(EXIT.refused);
    expect(refused.err).toEqual([
      'homelab: group stop security refused:',
      '  VpnStop: vpn is the management VPN (UDP 51820, site.wireguard): stopping it drops every remote session that came in through it, and it can then only be started again from the LAN. Nothing was stopped. Run it from a terminal to be asked, or pass --confirm-vpn-stop if you are on the LAN (or have another way in).',
    ]);
    expect(refused.server!.requests.filter((q) => q.method === 'POST')).toEqual([]);
    const confirmed = await run(['group', 'stop', 'security', '--confirm-vpn-stop'], { cluster: everything(), deps: { isTTY: false } });
    expect(confirmed.code).toBe(EXIT.ok);
    expect(confirmed.server!.requests.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual(['/nodes/n1/lxc/208/status/shutdown']);
  });

  it('at a terminal, group stop of the management VPN asks: no stops nothing (exit 3), yes stops it', async () => {
    const questions: string[] = [];
    const no = await run(['group', 'stop', 'security'], { cluster: everything(), deps: { confirm: async (q) => { questions.push(q); return false; } } });
    expect(no.code).toBe(EXIT.refused);
    expect(no.err).toContain('  VpnStop: vpn not stopped: not confirmed. Nothing was stopped.');
    expect(no.server!.requests.filter((q) => q.method === 'POST')).toEqual([]);
    const yes = await run(['group', 'stop', 'security'], { cluster: everything(), deps: { confirm: async (q) => { questions.push(q); return true; } } });
    expect(yes.code).toBe(EXIT.ok);
    expect(yes.server!.requests.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual(['/nodes/n1/lxc/208/status/shutdown']);
    expect(questions).toEqual(['Stop the management VPN? [y/N]', 'Stop the management VPN? [y/N]']);
  });

  it('stopping a group without the VPN asks nothing', async () => {
    const r = await run(['group', 'stop', 'media'], { cluster: clusterWhere(home, (s) => !['monitor', 'alerts'].includes(s)), deps: { confirm: async () => { throw new Error('asked'); } } });
    expect(r.code).toBe(EXIT.ok);
  });

  it.each([['-oProxyCommand=touch /tmp/x'], ['root;id'], ['Root']])('--ssh-user %j is a usage error (exit 2) naming the flag, the value and the fix', async (user) => {
    const r = await run(['patch', 'docker', `--ssh-user=${user}`]);
    expect(r.code).toBe(EXIT.usage);
    expect(r.err).toEqual([`homelab: --ssh-user ${JSON.stringify(user)} is not a valid user name: use a user name of lowercase letters, digits, \`_\` and \`-\`, starting with a letter or \`_\`, at most 32 characters (e.g. --ssh-user root).`]);
    expect(r.calls).toEqual([]);
  });

  it('patch proxmox: a node that never comes back and an unset that cannot be done: NOOUT IS STILL SET, loudly, with the command; exit 1', async () => {
    const cluster = everything();
    const runner: ProcessRunner = async (cmd) => {
      const remote = cmd.args.at(-1)!;
      if (remote.includes('test -f /run/reboot-required')) return { exitCode: cmd.args.includes('root@10.20.0.12') ? 0 : 1, stdout: '', stderr: '' };
      if (remote === 'systemctl reboot') { servers.at(-1)!.cluster.nodes.find((n) => n.name === 'n2')!.online = false; return { exitCode: 255, stdout: '', stderr: '' }; }
      if (remote === 'ceph osd unset noout') return { exitCode: 255, stdout: '', stderr: 'ssh: connect to host 10.20.0.11 port 22: Connection timed out' };
      return { exitCode: 0, stdout: '', stderr: '' };
    };
    const r = await run(['patch', 'proxmox', '--health-timeout', '60'], {
      cluster, runner,
      deps: { nodeEndpoint: () => servers.at(-1)!.endpoint, now: (() => { let t = 0; return () => (t += 5000); })() },
    });
    expect(r.code).toBe(EXIT.failed);
    const text = r.err.join('\n');
    expect(text).toContain('homelab: CEPH NOOUT IS STILL SET (n2 (10.20.0.12)): it could not be cleared:');
    expect(text).toContain('homelab: clear it as soon as the cluster is reachable: ssh root@10.20.0.11 -- ceph osd unset noout');
    expect(text).toContain('n2 back online after its reboot not reached after');
  });
});
