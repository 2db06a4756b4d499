/**
 * Unmeasured hardware facts end to end on a small site: the malformed marker is a problem naming
 * the field, a sound one is listed with the services that wait for it, synthesis leaves out what
 * needs it (and nothing else) and records it in the manifest, and the plan shows it.
 */
import { describe, expect, it } from 'vitest';
import {
  buildHomelab, buildPlan, formatPlan, serviceUnmeasuredInputs, synthesizeSite, unmeasured, type ServiceProps, type Site,
} from '../../src/index.ts';
import { entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

const HOW_OSD = 'stable path of the OSD SSD on n2: `ls -l /dev/disk/by-id/` on n2';
const HOW_STICK = 'USB vendor:product of the stick on n2: `lsusb` on n2';
const HOW_NAS = 'stable path of the NAS HDD on n2: `ls -l /dev/disk/by-id/` on n2';

type Facts = { osd: Site['nodes'][number]['disks'][number]['device']; nas: Site['nodes'][number]['disks'][number]['device']; stick: Site['nodes'][number]['devices'][string]['id'] };

/** n2 with an OSD SSD, a passthrough HDD and a USB stick whose facts are given or unmeasured. */
function siteWith(f: Facts): Site {
  return {
    ...testSite,
    addressPlan: { ...testSite.addressPlan, nas: { node: 'n2', vmid: 104, ip: '10.20.0.24' } },
    nodes: testSite.nodes.map((n) => (n.name !== 'n2' ? n : {
      ...n,
      disks: [...n.disks, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: f.osd }, { kind: 'hdd', sizeGiB: 4096, role: 'passthrough', device: f.nas }],
      devices: { stick: { kind: 'usb', id: f.stick, description: 'USB stick' } },
    })),
  } as Site;
}
const measured = siteWith({ osd: '/dev/disk/by-id/ata-osd-n2', nas: '/dev/disk/by-id/ata-nas-n2', stick: '1234:5678' });
const waiting = siteWith({ osd: unmeasured(HOW_OSD), nas: unmeasured(HOW_NAS), stick: unmeasured(HOW_STICK) });

const vm: ServiceProps = {
  name: 'vm', description: 'a VM with the USB stick', kind: 'vm', tier: 'normal', group: 'special', os: 'debian-12-vm',
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] }, devices: [{ device: 'stick' }],
};
const nas: ServiceProps = {
  name: 'nas', description: 'a NAS VM with the raw HDD', kind: 'vm', tier: 'normal', group: 'special', os: 'debian-12-vm',
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }], passthroughDisks: true },
};
const osds: ServiceProps = { name: 'osds', description: 'sets the OSDs up on the nodes', kind: 'none', tier: 'normal', group: 'core', nodeDisks: ['ceph-osd'] };
const defs = [proxy, idp, vm, nas, osds];

const rootSettingsOf = (site: Site, service: string) => {
  const result = synthesizeSite(buildHomelab(site, entries(...defs))).results.find((r) => r.service === service)!;
  return [...result.files].filter(([f]) => f.includes('/usr/local/lib/homelab/guests/')).map(([, c]) => c).join('\n');
};

describe('unmeasured inputs: the site shape', () => {
  it('passing fixture: measured strings and sound unmeasured markers parse with no problem', () => {
    expect(buildHomelab(measured, entries(...defs)).problems).toEqual([]);
    expect(buildHomelab(waiting, entries(...defs)).problems).toEqual([]);
  });

  it.each([
    ['a misspelt key', { unmesured: HOW_OSD }, /without "unmeasured" \(it has "unmesured"\)/],
    ['an empty description', { unmeasured: '  ' }, /without saying what it is and how to measure it/],
    ['an extra key', { unmeasured: HOW_OSD, value: '/dev/sdb' }, /also has "value"/],
    ['a number', 7, /must be the measured value \(a string\) or unmeasured\('…'\), not number/],
  ])('failing fixture: %s is InvalidUnmeasured at the field, reported once, with the fix', (_label, osd, message) => {
    const problems = buildHomelab(siteWith({ osd: osd as never, nas: '/dev/disk/by-id/ata-nas-n2', stick: '1234:5678' }), entries(...defs)).problems;
    const shape = problems.filter((p) => p.code === 'InvalidUnmeasured' || p.code === 'InvalidSite');
    expect(shape.map((p) => `${p.code} ${p.path}`)).toEqual(['InvalidUnmeasured nodes[1].disks[1].device']);
    expect(shape[0]!.message).toMatch(/^nodes\[1\]\.disks\[1\]\.device \(node n2, device\) /);
    expect(shape[0]!.message).toMatch(message);
    expect(shape[0]!.fix).toContain('npx homelab discover');
  });
});

describe('unmeasured inputs: which service waits, what synthesis leaves out, what the plan says', () => {
  it('each service waits for the inputs its artifacts need: the VM for its USB id, the NAS for its raw disk, the node-disk service for the OSD', () => {
    const home = buildHomelab(waiting, entries(...defs));
    const of = (name: string) => serviceUnmeasuredInputs(waiting, home.byName.get(name)!).map((i) => i.path);
    expect(of('vm')).toEqual(['nodes.n2.devices.stick.id']);
    expect(of('nas')).toEqual(['nodes.n2.disks[2].device']);
    expect(of('osds')).toEqual(['nodes.n2.disks[1].device']);
    expect(of('proxy')).toEqual([]);
  });

  it('measured: the root step passes the USB stick and the raw disk', () => {
    expect(rootSettingsOf(measured, 'vm')).toContain('host=1234:5678');
    expect(rootSettingsOf(measured, 'nas')).toContain('/dev/disk/by-id/ata-nas-n2');
  });

  it('unmeasured: neither the value nor a stand-in is synthesized; the manifest records the input and how to measure it; output is byte-identical run to run', () => {
    const run = () => synthesizeSite(buildHomelab(waiting, entries(...defs)));
    const first = run();
    // The fixture proxy has no forward-auth file; what matters here is that nothing about these services is wrong.
    expect(first.problems.filter((p) => ['packages/vm', 'packages/nas', 'packages/osds', 'libs/site'].includes(p.source))).toEqual([]);
    const vmResult = first.results.find((r) => r.service === 'vm')!;
    expect(vmResult.manifest.unmeasured).toEqual([{ input: 'nodes.n2.devices.stick.id', measure: HOW_STICK }]);
    expect(first.results.find((r) => r.service === 'proxy')!.manifest.unmeasured).toBeUndefined();
    expect(rootSettingsOf(waiting, 'vm')).not.toMatch(/usb0/);
    expect(rootSettingsOf(waiting, 'nas')).not.toMatch(/scsi1/);
    for (const r of first.results) {
      for (const [file, content] of r.files) {
        if (file === 'manifest.json') continue;
        for (const text of ['unmeasured', HOW_OSD, HOW_STICK, HOW_NAS, '[object Object]']) expect(content, `${r.service}/${file}`).not.toContain(text);
      }
    }
    const second = run();
    expect(second.results.map((r) => [...r.files])).toEqual(first.results.map((r) => [...r.files]));
  });

  it('the plan lists every unmeasured input with who waits for it, and marks each waiting service; a part of the plan shows only its own', () => {
    const home = buildHomelab(waiting, entries(...defs));
    const text = formatPlan(home, buildPlan(home));
    expect(text).toContain('Unmeasured inputs (3):');
    expect(text).toContain(`  nodes.n2.disks[1].device: ${HOW_OSD}; waiting: osds`);
    expect(text).toContain(`  nodes.n2.devices.stick.id: ${HOW_STICK}; waiting: vm`);
    expect(text).toContain('    WAITS for 1 unmeasured input (deploy refuses it until measured): nodes.n2.disks[2].device');
    const part = formatPlan(home, buildPlan(home), { only: ['vm'] });
    expect(part).toContain('Unmeasured inputs (1):');
    expect(part).not.toContain('nodes.n2.disks[1].device');
    expect(formatPlan(buildHomelab(measured, entries(...defs)), buildPlan(buildHomelab(measured, entries(...defs))))).not.toContain('nmeasured');
  });
});
