import { describe, expect, it } from 'vitest';
import { buildHomelab, formatPatchPlan, planPatch, type GuestProps, type PatchPlan, type PatchStep, type ServiceProps } from '../../src/index.ts';
import { fleetEntries, fleetHomelab, fleetSite, stateWhere } from './fleet-fixture.ts';

const home = fleetHomelab();
const SSH = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=10'];
/** The remote commands, each one argument after `--`, as the remote shell gets them. */
const UPGRADE = 'env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade';

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
      case 'gate': return [[`<gate cluster-healthy, asking ${s.ask.join(',') || 'nobody else'}>`]];
      case 'reboot': return [[`<reboot ${s.node}, asking ${s.ask.join(',') || 'nobody else'}>`, s.cmd.file, ...s.cmd.args]];
      case 'restore': return [['<set>', s.set.file, ...s.set.args], ...argvs(s.body).map((a) => ['  body', ...a]), ...s.undo.map((u) => ['<always>', u.file, ...u.args])];
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

  it('each node: gate (asking the other node), apt update, dist-upgrade, and if a reboot is needed: noout (Ceph OSD nodes) around the reboot, always unset from the other node first; a last gate after the last node', () => {
    const at = (ip: string, remote: string) => ['ssh', ...SSH, `root@${ip}`, '--', remote];
    const check = `sh -c 'test -f /run/reboot-required || test "$(uname -r)" != "$(ls -1 /boot | sed -n '\\''s/^vmlinuz-//p'\\'' | sort -V | tail -n 1)"'`;
    expect(argvs(plan.units[0]!.steps)).toEqual([
      ['<gate cluster-healthy, asking n2>'],
      at('10.20.0.11', 'apt-get -q update'),
      at('10.20.0.11', UPGRADE),
      ['<if>', ...at('10.20.0.11', check)],
      ['  then', '<reboot n1, asking n2>', ...at('10.20.0.11', 'systemctl reboot')],
    ]);
    expect(argvs(plan.units[1]!.steps)).toEqual([
      ['<gate cluster-healthy, asking n1>'],
      at('10.20.0.12', 'apt-get -q update'),
      at('10.20.0.12', UPGRADE),
      ['<if>', ...at('10.20.0.12', check)],
      ['  then', '<set>', ...at('10.20.0.12', 'ceph osd set noout')],
      ['  then', '  body', '<reboot n2, asking n1>', ...at('10.20.0.12', 'systemctl reboot')],
      ['  then', '<always>', ...at('10.20.0.11', 'ceph osd unset noout')],
      ['  then', '<always>', ...at('10.20.0.12', 'ceph osd unset noout')],
      ['<gate cluster-healthy, asking n1>'],
    ]);
  });

  it('the health gates rotate through the nodes not being rebooted; with one node only, they say nobody else can answer', () => {
    const three = fleetHomelab({ ...fleetSite, nodes: [...fleetSite.nodes, { ...fleetSite.nodes[0]!, name: 'n3', ip: '10.20.0.13' }] });
    const r = planPatch(three, 'proxmox');
    if (r.kind !== 'plan') throw new Error(r.message);
    expect(r.plan.units.map((u) => argvs(u.steps)[0]![0])).toEqual(['<gate cluster-healthy, asking n2,n3>', '<gate cluster-healthy, asking n3,n1>', '<gate cluster-healthy, asking n1,n2>']);
    const one = planPatch(fleetHomelab({ ...fleetSite, nodes: [fleetSite.nodes[0]!] }), 'proxmox');
    if (one.kind !== 'plan') throw new Error(one.message);
    expect(argvs(one.plan.units[0]!.steps)[0]).toEqual(['<gate cluster-healthy, asking nobody else>']);
    expect(formatPatchPlan(one.plan)[2]).toMatch(/asked of the only node \(nothing else can answer while it reboots\)$/);
  });

  it('each unit names the services whose guests it touches: the locks a run takes', () => {
    expect(plan.units.map((u) => [u.name, u.services.join(' ')])).toEqual([
      ['n1 (10.20.0.11)', 'alerts idp k8s mediasrv monitor proxy radio vpn'],
      ['n2 (10.20.0.12)', 'app dl k8s nas zigbee'],
    ]);
    expect(ok('docker').units.map((u) => u.services)).toEqual([['mediasrv'], ['alerts', 'monitor']]);
    expect(ok('lxc').units.find((u) => u.name.startsWith('monitor'))?.services).toEqual(['alerts', 'monitor']);
  });

  it('--dry-run prints the ordered commands, escaped as a shell would need them', () => {
    const lines = formatPatchPlan(plan);
    expect(lines.slice(0, 7)).toEqual([
      'homelab patch proxmox: patch 2 Proxmox nodes one at a time, each gated on a healthy cluster (serial)',
      '[1/2] n1 (10.20.0.11)',
      '  gate    cluster healthy: corosync quorate and every node online (GET /cluster/status), Ceph HEALTH_OK (GET /cluster/ceph/status), asked of n2',
      "  run     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'apt-get -q update'",
      "  run     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold dist-upgrade'",
      `  if      a reboot is needed: ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'sh -c '\\''test -f /run/reboot-required || test "$(uname -r)" != "$(ls -1 /boot | sed -n '\\''\\'\\'''\\''s/^vmlinuz-//p'\\''\\'\\'''\\'' | sort -V | tail -n 1)"'\\'''`,
      "    reboot  ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'systemctl reboot'",
    ]);
    expect(lines.slice(13, 17)).toEqual([
      "    set     ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.12 -- 'ceph osd set noout'",
      "      reboot  ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.12 -- 'systemctl reboot'",
      '              then wait until n2 is online again with a fresh uptime (GET /cluster/resources?type=node, asked of n1)',
      "    always  (after success, failure, interrupt or timeout) ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.11 -- 'ceph osd unset noout'  || ssh -o BatchMode=yes -o ConnectTimeout=10 root@10.20.0.12 -- 'ceph osd unset noout'",
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
      ['ssh', ...SSH, 'root@10.20.0.12', '--', 'pct exec 202 -- apt-get -q update'],
      ['ssh', ...SSH, 'root@10.20.0.12', '--', `pct exec 202 -- ${UPGRADE}`],
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
      ['ssh', ...SSH, 'root@10.20.0.33', '--', 'docker compose -f /opt/stacks/mediasrv/compose.yml pull'],
      ['ssh', ...SSH, 'root@10.20.0.33', '--', 'docker compose -f /opt/stacks/mediasrv/compose.yml up -d --remove-orphans'],
      ['ssh', ...SSH, 'root@10.20.0.33', '--', 'docker image prune -f'],
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

  it('orders by the role the service states, not by names: a control plane named "birch" goes before a worker named "master-1"', () => {
    const vm = (name: string, placement: string): GuestProps => ({ name, kind: 'vm', placement, tier: 'normal', resources: { cores: 2, memoryMiB: 4096, disks: [{ storage: 'ceph', sizeGiB: 32 }] }, os: 'talos-1.13' });
    const site = { ...fleetSite, addressPlan: { ...fleetSite.addressPlan, 'talos-extra': { node: 'n1', vmid: 412, ip: '10.20.0.112' } } };
    const cluster = (k8s: ServiceProps): ServiceProps => ({
      ...k8s,
      // The worker comes first and carries the name the old guess took for a control plane.
      guests: [vm('master-1', 'talos-worker-0'), vm('birch', 'talos-cp-0'), vm('oak', 'talos-extra')],
      facts: { kubernetes: { apiEndpoint: 'https://10.20.0.100:6443', nodes: [{ guest: 'master-1', role: 'worker' }, { guest: 'birch', role: 'controlplane' }] } },
    });
    const other = buildHomelab(site, fleetEntries().map((e) => ((e.definition as ServiceProps).name === 'k8s' ? { ...e, definition: cluster(e.definition as ServiceProps) } : e)), { rules: [] });
    expect(other.problems).toEqual([]);
    const r = planPatch(other, 'talos', { image: 'ghcr.io/siderolabs/installer:v1.13.9' });
    if (r.kind !== 'plan') throw new Error(r.message);
    expect(r.plan.units.map((u) => u.name)).toEqual(['birch (10.20.0.101)', 'master-1 (10.20.0.111)']);
    expect(argvs(r.plan.units[0]!.steps)[0]).toEqual(['talosctl', 'health', '--nodes', '10.20.0.101', '--wait-timeout', '10m']);
    // A Talos guest whose role nobody states is not guessed: it is left out, and the plan says why.
    expect(r.plan.skipped).toEqual([{ name: 'oak', reason: 'k8s states no Kubernetes role for it (facts.kubernetes.nodes), so it cannot be ordered after the control plane' }]);
  });
});

describe('patch pi: the external hosts, in parallel', () => {
  it('apt over ssh; a needed reboot is reported, not done', () => {
    const plan = ok('pi');
    expect(plan).toMatchObject({ mode: 'parallel', tools: ['ssh'] });
    expect(argvs(plan.units[0]!.steps)).toEqual([
      ['ssh', ...SSH, 'root@10.20.0.50', '--', 'apt-get -q update'],
      ['ssh', ...SSH, 'root@10.20.0.50', '--', UPGRADE],
      ['<if>', 'ssh', ...SSH, 'root@10.20.0.50', '--', 'test -f /run/reboot-required'],
      ['  then', '<note reboot required: ssh root@10.20.0.50 systemctl reboot when convenient>'],
    ]);
  });
});

describe('bad input', () => {
  it.each([
    ['an unknown layer', 'kernel', {}, 'unknown patch layer "kernel". Layers: proxmox, lxc, docker, talos, pi.'],
    ['an unknown service', 'lxc', { services: ['nope'] }, `unknown service "nope". Services: ${home.services.map((s) => s.name).join(', ')}.`],
    ['--service on nodes', 'proxmox', { services: ['dl'] }, 'patch proxmox patches nodes, not services: --service does not apply.'],
    ['an --ssh-user that is an ssh option', 'lxc', { sshUser: '-oProxyCommand=touch /tmp/x' }, '--ssh-user "-oProxyCommand=touch /tmp/x" is not a valid user name: use a user name of lowercase letters, digits, `_` and `-`, starting with a letter or `_`, at most 32 characters (e.g. --ssh-user root).'],
    ['an --ssh-user with a shell metacharacter', 'docker', { sshUser: 'root;id' }, '--ssh-user "root;id" is not a valid user name: use a user name of lowercase letters, digits, `_` and `-`, starting with a letter or `_`, at most 32 characters (e.g. --ssh-user root).'],
  ])('%s', (_n, layer, options, message) => {
    expect(planPatch(home, layer, options)).toEqual({ kind: 'usage', message });
  });
});
