import { describe, expect, it } from 'vitest';
import { formatPatchPlan, planPatch, type PatchPlan, type PatchStep } from '../../src/index.ts';
import { fleetHomelab, stateWhere } from './fleet-fixture.ts';

const home = fleetHomelab();
const SSH = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'];
const UPGRADE = ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', '-q', '-y', '-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold', 'dist-upgrade'];

function ok(layer: string, options: Parameters<typeof planPatch>[2] = {}): PatchPlan {
  const r = planPatch(home, layer, options);
  if (r.kind !== 'plan') throw new Error(r.message);
  return r.plan;
}

/** Every command of a unit, flattened, as argv arrays ("gate" and "reboot" marked). */
function argvs(steps: readonly PatchStep[]): string[][] {
  return steps.flatMap((s): string[][] => {
    switch (s.kind) {
      case 'run': return [[s.cmd.file, ...s.cmd.args]];
      case 'gate': return [['<gate cluster-healthy>']];
      case 'reboot': return [[`<reboot ${s.node}>`, s.cmd.file, ...s.cmd.args]];
      case 'note': return [[`<note ${s.text}>`]];
      case 'if': return [['<if>', s.check.file, ...s.check.args], ...argvs(s.then).map((a) => ['  then', ...a])];
    }
  });
}

describe('patch proxmox: nodes one at a time, gated on cluster health', () => {
  const plan = ok('proxmox');
  it('is serial over the site nodes, needs the API and ssh', () => {
    expect(plan).toMatchObject({ mode: 'serial', needsApi: true, tools: ['ssh'] });
    expect(plan.units.map((u) => u.name)).toEqual(['n1 (10.20.0.11)', 'n2 (10.20.0.12)']);
  });

  it('each node: gate, apt update, dist-upgrade, and if a reboot is needed: noout (Ceph OSD nodes), reboot, unset noout; a last gate after the last node', () => {
    const at = (ip: string, ...r: string[]) => ['ssh', ...SSH, `root@${ip}`, '--', ...r];
    const check = 'test -f /run/reboot-required || test "$(uname -r)" != "$(ls -1 /boot | sed -n \'s/^vmlinuz-//p\' | sort -V | tail -n 1)"';
    expect(argvs(plan.units[0]!.steps)).toEqual([
      ['<gate cluster-healthy>'],
      at('10.20.0.11', 'apt-get', '-q', 'update'),
      at('10.20.0.11', ...UPGRADE),
      ['<if>', ...at('10.20.0.11', check)],
      ['  then', '<reboot n1>', ...at('10.20.0.11', 'systemctl', 'reboot')],
    ]);
    expect(argvs(plan.units[1]!.steps)).toEqual([
      ['<gate cluster-healthy>'],
      at('10.20.0.12', 'apt-get', '-q', 'update'),
      at('10.20.0.12', ...UPGRADE),
      ['<if>', ...at('10.20.0.12', check)],
      ['  then', ...at('10.20.0.12', 'ceph', 'osd', 'set', 'noout')],
      ['  then', '<reboot n2>', ...at('10.20.0.12', 'systemctl', 'reboot')],
      ['  then', ...at('10.20.0.12', 'ceph', 'osd', 'unset', 'noout')],
      ['<gate cluster-healthy>'],
    ]);
  });

  it('--dry-run prints the ordered commands, escaped as a shell would need them', () => {
    const lines = formatPatchPlan(plan);
    expect(lines.slice(0, 7)).toEqual([
      'homelab patch proxmox: patch 2 Proxmox nodes one at a time, each gated on a healthy cluster (serial)',
      '[1/2] n1 (10.20.0.11)',
      '  gate    cluster healthy: corosync quorate and every node online (GET /cluster/status), Ceph HEALTH_OK (GET /cluster/ceph/status)',
      '  run     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- apt-get -q update',
      '  run     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade',
      `  if      a reboot is needed: ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'test -f /run/reboot-required || test "$(uname -r)" != "$(ls -1 /boot | sed -n '\\''s/^vmlinuz-//p'\\'' | sort -V | tail -n 1)"'`,
      '    reboot  ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- systemctl reboot',
    ]);
  });

  it('--ssh-user changes the login', () => {
    expect(ok('proxmox', { sshUser: 'admin' }).units[0]!.steps.find((s) => s.kind === 'run')).toMatchObject({ cmd: { args: expect.arrayContaining(['admin@10.20.0.11']) } });
  });
});

describe('patch lxc: every apt-based container, in parallel with a bound', () => {
  it('runs pct exec on the container\'s node; skips hardware-bound members and the shared guest once', () => {
    const plan = ok('lxc', { parallel: 3 });
    expect(plan).toMatchObject({ mode: 'parallel', parallel: 3, needsApi: false });
    expect(plan.units.map((u) => u.name)).toEqual([
      'app (lxc 102) on n2', 'dl (lxc 202) on n2', 'idp (lxc 101) on n1', 'mediasrv (lxc 203) on n1', 'monitor (lxc 205) on n1', 'proxy (lxc 100) on n1', 'vpn (lxc 208) on n1',
    ]);
    expect(argvs(plan.units[1]!.steps)).toEqual([
      ['ssh', ...SSH, 'root@10.20.0.12', '--', 'pct', 'exec', '202', '--', 'apt-get', '-q', 'update'],
      ['ssh', ...SSH, 'root@10.20.0.12', '--', 'pct', 'exec', '202', '--', ...UPGRADE],
    ]);
    expect(plan.skipped).toEqual([
      { name: 'radio', reason: 'group special is hardware-bound: excluded from bulk patching; name it with --service radio' },
      { name: 'zigbee', reason: 'group special is hardware-bound: excluded from bulk patching; name it with --service zigbee' },
    ]);
  });

  it('with the live state: stopped containers are skipped, a migrated one is reached on its current node', () => {
    const state = stateWhere(home, (s) => s !== 'vpn');
    const guests = new Map(state.guests);
    guests.set(202, { ...guests.get(202)!, node: 'n1' });
    const plan = ok('lxc', { state: { guests } });
    expect(plan.skipped).toContainEqual({ name: 'vpn (lxc 208)', reason: 'stopped: pct exec needs it running' });
    expect(plan.units.find((u) => u.name.startsWith('dl'))?.name).toBe('dl (lxc 202) on n1');
    expect(argvs(plan.units.find((u) => u.name.startsWith('dl'))!.steps)[0]).toContain('root@10.20.0.11');
  });

  it('a hardware-bound member is patched when named', () => {
    expect(ok('lxc', { services: ['zigbee'] }).units.map((u) => u.name)).toEqual(['zigbee (lxc 214) on n2']);
  });
});

describe('patch docker: each Compose stack pulled and restarted, one at a time', () => {
  it('pull, up -d, prune per stack, over ssh to the guest; hardware-bound and stack-less services skipped', () => {
    const plan = ok('docker');
    expect(plan.mode).toBe('serial');
    expect(plan.units.map((u) => u.name)).toEqual(['mediasrv: /opt/stacks/mediasrv on mediasrv (10.20.0.33)', 'monitor: /opt/stacks/monitoring on monitor (10.20.0.35)']);
    expect(argvs(plan.units[0]!.steps)).toEqual([
      ['ssh', ...SSH, 'root@10.20.0.33', '--', 'docker', 'compose', '-f', '/opt/stacks/mediasrv/compose.yml', 'pull'],
      ['ssh', ...SSH, 'root@10.20.0.33', '--', 'docker', 'compose', '-f', '/opt/stacks/mediasrv/compose.yml', 'up', '-d', '--remove-orphans'],
      ['ssh', ...SSH, 'root@10.20.0.33', '--', 'docker', 'image', 'prune', '-f'],
    ]);
    expect(plan.skipped).toEqual([
      { name: 'radio', reason: 'group special is hardware-bound: excluded from bulk patching; name it with --service radio' },
      { name: 'proxy', reason: 'docker is on but it renders no Compose file' },
    ]);
  });
});

describe('patch talos: rolling, one node at a time, control plane first, health between', () => {
  it('needs an installer image', () => {
    expect(planPatch(home, 'talos', {})).toEqual({ kind: 'usage', message: 'patch talos needs --image <installer image>, e.g. --image ghcr.io/siderolabs/installer:v1.13.9 (or an Image Factory installer with your schematic).' });
    expect(planPatch(home, 'talos', { image: 'v1.13.9' })).toMatchObject({ kind: 'usage', message: expect.stringContaining('received "v1.13.9"') });
  });

  it('health, upgrade per node; health after the last', () => {
    const plan = ok('talos', { image: 'ghcr.io/siderolabs/installer:v1.13.9' });
    expect(plan).toMatchObject({ mode: 'serial', tools: ['talosctl'] });
    const health = ['talosctl', 'health', '--nodes', '10.20.0.101', '--wait-timeout', '10m'];
    expect(plan.units.map((u) => [u.name, ...argvs(u.steps).map((a) => a.join(' '))])).toEqual([
      ['talos-cp-0 (10.20.0.101)', health.join(' '), 'talosctl upgrade --nodes 10.20.0.101 --image ghcr.io/siderolabs/installer:v1.13.9 --wait --timeout 30m'],
      ['talos-worker-0 (10.20.0.111)', health.join(' '), 'talosctl upgrade --nodes 10.20.0.111 --image ghcr.io/siderolabs/installer:v1.13.9 --wait --timeout 30m', health.join(' ')],
    ]);
  });
});

describe('patch pi: the external hosts, in parallel', () => {
  it('apt over ssh; a needed reboot is reported, not done', () => {
    const plan = ok('pi');
    expect(plan).toMatchObject({ mode: 'parallel', tools: ['ssh'] });
    expect(argvs(plan.units[0]!.steps)).toEqual([
      ['ssh', ...SSH, 'root@10.20.0.50', '--', 'apt-get', '-q', 'update'],
      ['ssh', ...SSH, 'root@10.20.0.50', '--', ...UPGRADE],
      ['<if>', 'ssh', ...SSH, 'root@10.20.0.50', '--', 'test', '-f', '/run/reboot-required'],
      ['  then', '<note reboot required: ssh root@10.20.0.50 systemctl reboot when convenient>'],
    ]);
  });
});

describe('bad input', () => {
  it.each([
    ['an unknown layer', 'kernel', {}, 'unknown patch layer "kernel". Layers: proxmox, lxc, docker, talos, pi.'],
    ['an unknown service', 'lxc', { services: ['nope'] }, `unknown service "nope". Services: ${home.services.map((s) => s.name).join(', ')}.`],
    ['--service on nodes', 'proxmox', { services: ['dl'] }, 'patch proxmox patches nodes, not services: --service does not apply.'],
  ])('%s', (_n, layer, options, message) => {
    expect(planPatch(home, layer, options)).toEqual({ kind: 'usage', message });
  });
});
