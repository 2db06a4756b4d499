/**
 * The checks of the bootstrap phases that the end-to-end test (tools/homelab/test/bootstrap)
 * cannot reach through a real process: the zone's delegation (a name-server lookup) and the
 * readiness of VMs (the guest agent), each with its failing and its passing case, over a scripted
 * runner that answers like the nodes.
 */
import { describe, expect, it } from 'vitest';
import { buildModel } from '../../src/model/homelab.ts';
import { preconditionsPhase } from '../../src/bootstrap/preconditions.ts';
import { readinessPhase } from '../../src/bootstrap/readiness.ts';
import { servicesPhase } from '../../src/bootstrap/deploy-phases.ts';
import { unmeasured } from '../../src/model/unmeasured.ts';
import type { BootstrapContext } from '../../src/bootstrap/phase.ts';
import type { ToolCommand, ToolResult } from '../../src/fleet/process-runner.ts';
import { app, entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

type Answer = (remote: string) => ToolResult;

function context(answer: Answer, overrides: Partial<BootstrapContext> = {}): BootstrapContext & { commands: string[] } {
  const commands: string[] = [];
  const vmApp = { ...app, name: 'vmapp', kind: 'vm' as const, placement: 'vm' };
  const home = buildModel(testSite, entries(proxy, idp, app, vmApp));
  return {
    commands,
    site: testSite, home, env: {}, stateDir: '/nonexistent', out: () => undefined, sshUser: 'root',
    confirmed: new Set(['router-port-forwards']), confirmedBefore: new Set(),
    resolveNs: async () => ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
    deploy: async () => ({ exitCode: 0, changed: [] }),
    sleep: async () => undefined, wait: { attempts: 2, pauseMs: 0 },
    runner: async (cmd: ToolCommand) => {
      const remote = cmd.args.at(-1)!;
      commands.push(`${cmd.args.at(-3)} ${remote}`);
      return answer(remote);
    },
    ...overrides,
  };
}

const ok = (stdout = ''): ToolResult => ({ exitCode: 0, stdout, stderr: '' });
const nodeAnswers: Answer = (remote) => (remote === 'pveversion' ? ok('pve-manager/9.1.3/abc (running kernel: 6.14)\n') : remote === 'hostname' ? ok('n?\n') : ok());

describe('bootstrap preconditions: the zone delegated to the DNS provider', () => {
  const answers = (hostOf: (cmd: string) => string): Answer => (remote) => (remote === 'hostname' ? ok(`${hostOf(remote)}\n`) : nodeAnswers(remote));

  it('passes when every name server is the provider\'s', async () => {
    let n = 0;
    const ctx = context(answers(() => ['n1', 'n2'][n++ % 2]!));
    const result = await preconditionsPhase.run(ctx);
    expect(result.blockers).toEqual([]);
    expect(result.verified).toContain('example.test: delegated to ada.ns.cloudflare.com, bob.ns.cloudflare.com');
  });

  it('blocks, naming the servers it found and the fix, when the registrar still points elsewhere', async () => {
    let n = 0;
    const ctx = context(answers(() => ['n1', 'n2'][n++ % 2]!), { resolveNs: async () => ['ns1.registrar.example', 'bob.ns.cloudflare.com'] });
    const result = await preconditionsPhase.run(ctx);
    expect(result.blockers).toEqual([{
      check: 'dns-delegation',
      message: 'example.test is served by ns1.registrar.example, bob.ns.cloudflare.com, not cloudflare',
      fix: 'At the registrar of example.test, set the name servers to the two name servers Cloudflare assigned the zone (dashboard → the zone → DNS → Records); delegation can take hours to show.',
    }]);
  });

  it('blocks when the lookup itself fails, with the resolver\'s code', async () => {
    let n = 0;
    const ctx = context(answers(() => ['n1', 'n2'][n++ % 2]!), { resolveNs: async () => { throw Object.assign(new Error('queryNs ENOTFOUND'), { code: 'ENOTFOUND' }); } });
    const result = await preconditionsPhase.run(ctx);
    expect(result.blockers.map((b) => `${b.check}: ${b.message}`)).toEqual(['dns-delegation: the name servers of example.test cannot be looked up: ENOTFOUND']);
  });
});

describe('bootstrap readiness: guests running and VM agents answering', () => {
  const resources = (status: string) => JSON.stringify([
    { id: 'lxc/100', type: 'lxc', node: 'n1', vmid: 100, status: 'running' },
    { id: 'lxc/101', type: 'lxc', node: 'n1', vmid: 101, status: 'running' },
    { id: 'lxc/102', type: 'lxc', node: 'n2', vmid: 102, status: 'running' },
    { id: 'qemu/103', type: 'qemu', node: 'n2', vmid: 103, status },
  ]);

  it('passes when every guest runs on its node and the VM\'s agent answers', async () => {
    const ctx = context((remote) => (remote.includes('/cluster/resources') ? ok(resources('running')) : ok('{"result":{}}')));
    const result = await readinessPhase.run(ctx);
    expect(result.blockers).toEqual([]);
    expect(ctx.commands).toContain('root@10.20.0.11 pvesh create /nodes/n2/qemu/103/agent/ping --output-format json');
  });

  it('a stopped VM and, once running, a silent agent: each named, after waiting the attempts given', async () => {
    const stopped = context((remote) => (remote.includes('/cluster/resources') ? ok(resources('stopped')) : ok()));
    const a = await readinessPhase.run(stopped);
    expect(a.blockers.map((b) => `${b.check}: ${b.message}`)).toEqual(['guest:103: vmapp (VM 103, vmapp) is stopped']);
    expect(stopped.commands.filter((c) => c.includes('/cluster/resources'))).toHaveLength(2);

    const silent = context((remote) => (remote.includes('/cluster/resources') ? ok(resources('running')) : { exitCode: 255, stdout: '', stderr: 'QEMU guest agent is not running' }));
    const b = await readinessPhase.run(silent);
    expect(b.blockers.map((x) => `${x.check}: ${x.message}`)).toEqual(['agent:103: vmapp (VM 103, vmapp): the QEMU guest agent does not answer yet']);
  });

  it('a guest missing from the cluster or on another node: named with the fix', async () => {
    const ctx = context((remote) => (remote.includes('/cluster/resources')
      ? ok(JSON.stringify([{ id: 'lxc/100', type: 'lxc', node: 'n2', vmid: 100, status: 'running' }]))
      : ok()));
    const result = await readinessPhase.run(ctx);
    expect(result.blockers.map((b) => `${b.check}: ${b.message}`)).toEqual([
      'guest:100: proxy (LXC 100, proxy) is a lxc on n2, the plan says a lxc on n1',
      'guest:101: idp (LXC 101, idp) is not in the cluster',
      'guest:102: app (LXC 102, app) is not in the cluster',
      'guest:103: vmapp (VM 103, vmapp) is not in the cluster',
    ]);
  });
});

describe('bootstrap services: hardware facts measured before the first wave', () => {
  it('an unmeasured USB id a service passes through: the whole phase is blocked before any deploy, naming the input, who waits and the fix', async () => {
    const n2 = testSite.nodes[1]!;
    const site = { ...testSite, nodes: [testSite.nodes[0]!, { ...n2, devices: { stick: { ...n2.devices.stick!, id: unmeasured('USB stick; lsusb on n2') } } }] };
    const home = buildModel(site, entries(proxy, idp, { ...app, devices: [{ device: 'stick' }] }));
    const deployed: string[][] = [];
    const ctx = context(() => ok(), { site, home, deploy: async (s) => { deployed.push([...s]); return { exitCode: 0, changed: [] }; } });
    const result = await servicesPhase.run(ctx);
    expect(result.blockers).toEqual([{
      check: 'unmeasured:nodes.n2.devices.stick.id',
      message: 'nodes.n2.devices.stick.id is not measured yet (USB stick; lsusb on n2); app waits for it',
      fix: 'Run npx homelab discover (it reads the disks and USB devices from the cluster, which is up now), paste the values into the site, then rerun.',
    }]);
    expect(deployed).toEqual([]);
  });

  it('every fact measured: the services deploy, in one run, dependencies first', async () => {
    const deployed: string[][] = [];
    const ctx = context(() => ok(), { deploy: async (s) => { deployed.push([...s]); return { exitCode: 0, changed: s.map((x) => `${x}: deployed`) }; } });
    const result = await servicesPhase.run(ctx);
    expect(result.blockers).toEqual([]);
    expect(deployed).toEqual([['proxy', 'idp', 'app', 'vmapp']]);
  });
});

describe('bootstrap services: images', () => {
  // A site's own image that no node can download (no source): placed by hand, checked by bootstrap.
  const ownImage = { kind: 'vm' as const, file: 'import/own-os.qcow2', type: 'l26', importDisk: true, byHand: { url: 'https://images.example.test/own-os.qcow2.xz', unpack: 'xz -d' } };
  const ownSite = { ...testSite, osImages: { 'own-os': ownImage } };
  const ownApp = { ...app, name: 'vmapp', kind: 'vm' as const, placement: 'vm', os: 'own-os' };
  const ownHome = buildModel(ownSite, entries(proxy, idp, app, ownApp));
  const listing = (volids: string[]) => ok(JSON.stringify(volids.map((volid) => ({ volid, format: 'qcow2', size: 1 }))));
  const contentCmd = `pvesh get /nodes/n2/storage/${testSite.storage.images}/content --output-format json --content import`;

  it('the dry run shows placing it as a manual step that bootstrap checks, on the node that runs its guest', () => {
    const steps = servicesPhase.describe({ site: ownSite, home: ownHome, sshUser: 'root' });
    expect(steps.filter((s) => s.manual).map((s) => s.what)).toEqual(['import/own-os.qcow2 is on n2 (placed by hand: no node can download it), for vmapp']);
  });

  it('an image no node can download missing on its node: a blocker with the exact commands to place it, and nothing deploys', async () => {
    const deployed: string[][] = [];
    const ctx = context((remote) => (remote === contentCmd ? listing([`${testSite.storage.images}:import/other.qcow2`]) : ok()), { site: ownSite, home: ownHome, deploy: async (s) => { deployed.push([...s]); return { exitCode: 0, changed: [] }; } });
    const result = await servicesPhase.run(ctx);
    expect(ctx.commands.map((c) => c.slice(c.indexOf(" ") + 1))).toEqual([contentCmd]);
    expect(result.blockers).toEqual([{
      check: 'image:n2:own-os',
      message: `${testSite.storage.images}:import/own-os.qcow2 is not on n2; vmapp boots from it and no node can download it`,
      fix: `Place it once, then rerun: on n2: curl -fL -o /var/tmp/own-os.qcow2.download https://images.example.test/own-os.qcow2.xz && xz -d < /var/tmp/own-os.qcow2.download > "$(pvesm path ${testSite.storage.images}:import/own-os.qcow2)" && rm /var/tmp/own-os.qcow2.download`,
    }]);
    expect(deployed).toEqual([]);
  });

  it('the file is on its node: no blocker, the services deploy', async () => {
    const deployed: string[][] = [];
    const ctx = context((remote) => (remote === contentCmd ? listing([`${testSite.storage.images}:import/own-os.qcow2`]) : ok()), { site: ownSite, home: ownHome, deploy: async (s) => { deployed.push([...s]); return { exitCode: 0, changed: [] }; } });
    expect((await servicesPhase.run(ctx)).blockers).toEqual([]);
    expect(deployed).toEqual([['proxy', 'idp', 'app', 'vmapp']]);
  });

  it('an unpinned image checksum and a missing hand-placed image are reported together; the checksum\'s fix names the site field and the URL', async () => {
    const { 'debian-13': _d, ...rest } = testSite.imageChecksums!;
    const site = { ...ownSite, imageChecksums: rest };
    const ctx = context(() => listing([]), { site, home: buildModel(site, entries(proxy, idp, app, ownApp)) });
    const result = await servicesPhase.run(ctx);
    expect(result.blockers.map((b) => b.check)).toEqual(['unmeasured:imageChecksums.debian-13', 'image:n2:own-os']);
    expect(result.blockers[0]!.message).toBe('imageChecksums.debian-13 is not measured yet (sha512 of http://download.proxmox.com/images/system/debian-13-standard_13.1-2_amd64.tar.zst: the sha512sum of debian-13-standard_13.1-2_amd64.tar.zst in Proxmox\'s template index (http://download.proxmox.com/images/aplinfo-pve-9.dat; on a node: pveam update, then grep -A20 debian-13-standard_13.1-2_amd64.tar.zst /var/lib/pve-manager/apl-info/download.proxmox.com)); app, idp, proxy wait for it');
    expect(result.blockers[0]!.fix).toBe('Pin the sha512 of http://download.proxmox.com/images/system/debian-13-standard_13.1-2_amd64.tar.zst in the site\'s imageChecksums[\'debian-13\'] (docs/bootstrap.md, "Images"), then rerun: the hypervisor stack downloads it and the waiting services deploy.');
  });
});
