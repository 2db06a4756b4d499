/**
 * `homelab discover` as a user runs it (the installed binary) against the schema-checking Proxmox
 * test server: a site with unmeasured disks and USB devices, a fake cluster with the hardware, and
 * the values printed ready to paste (by-id link, kernel name with its warning, libusb node, USB id),
 * what could not be matched and why; --node, --json, a node the API cannot reach, no API settings.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { createWorkspace } from '../deploy/fixture-workspace.ts';
import { REPO_ROOT } from '../cli/run-homelab.ts';
import { defaultCluster, type FakeCluster } from '../../../../libs/core/test/pve/pve-test-server.ts';
import { runAgainstCluster } from './cluster-cli.ts';

const GB = 1e9;

/** The fixture site, with n2's OSD SSD, two NAS HDDs, an RTL-SDR path and a radio stick unmeasured, and n1's Zigbee stick. */
function workspaceWithUnmeasured(): string {
  const ws = createWorkspace();
  writeFileSync(join(ws, 'site.ts'), `import { testSite } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/test/fixtures/test-site.ts'))};
import { unmeasured } from ${JSON.stringify(join(REPO_ROOT, 'libs/core/src/model/unmeasured.ts'))};
const disk = unmeasured('stable path of the disk: \`ls -l /dev/disk/by-id/\` on the node');
export const site = {
  ...testSite,
  nodes: testSite.nodes.map((n) => n.name === 'n1'
    ? { ...n, devices: { ...n.devices, zigbee: { kind: 'usb', id: unmeasured('USB id of the Zigbee stick: \`lsusb\` on the node'), path: unmeasured('its serial node: \`ls -l /dev/serial/by-id/\` on the node'), description: 'Zigbee stick' } } }
    : { ...n,
      disks: [...n.disks, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: disk }, { kind: 'hdd', sizeGiB: 4096, role: 'passthrough', device: disk }, { kind: 'hdd', sizeGiB: 4096, role: 'passthrough', device: disk }],
      devices: { ...n.devices,
        sdr: { kind: 'usb', id: '0bda:2838', path: unmeasured('libusb node of the SDR: \`lsusb -d 0bda:2838\` on the node'), description: 'SDR' },
        radio: { kind: 'usb', id: unmeasured('USB id of the radio stick: \`lsusb\` on the node'), description: 'radio stick' } } }),
};
`);
  return ws;
}

function hardwareCluster(): FakeCluster {
  const cluster = defaultCluster();
  const [n1, n2] = cluster.nodes;
  n1!.usb = [{ busnum: 1, devnum: 1, vendid: '1d6b', prodid: '0002', class: 9, product: 'root hub' }, { busnum: 1, devnum: 3, vendid: '1a86', prodid: '55d4', manufacturer: 'ITead', product: 'Sonoff Zigbee 3.0 USB Dongle Plus V2' }];
  n2!.disks = [
    { devpath: '/dev/sda', size: 256 * GB, type: 'ssd', used: 'LVM', model: 'SYSTEM SSD', serial: 'SYS1' },
    { devpath: '/dev/sdb', size: 500 * GB, type: 'ssd', model: 'FAKE SSD 500', serial: 'S1', by_id_link: '/dev/disk/by-id/ata-FAKE_SSD_500_S1' },
    { devpath: '/dev/sdc', size: 4000 * GB, type: 'hdd', model: 'FAKE HDD 4T', serial: 'ZA1', wwn: '0x5000c500aaaa0001' },
    { devpath: '/dev/sdd', size: 4000 * GB, type: 'hdd', model: 'FAKE HDD 4T', serial: 'ZA2', wwn: '0x5000c500aaaa0002' },
  ];
  n2!.usb = [
    { busnum: 1, devnum: 1, vendid: '1d6b', prodid: '0002', class: 9, product: 'root hub' },
    { busnum: 1, devnum: 2, vendid: '1234', prodid: '5678', product: 'USB stick' },
    { busnum: 1, devnum: 4, vendid: '0bda', prodid: '2838', manufacturer: 'RTLSDRBlog', product: 'Blog V4' },
    { busnum: 2, devnum: 7, vendid: '10c4', prodid: 'ea60', manufacturer: 'Silicon Labs', product: 'CP2102 USB to UART Bridge Controller' },
  ];
  return cluster;
}

describe('homelab discover', () => {
  it('prints each value the listings decide, ready to paste, and what they do not decide; reads only what the inputs need; exit 1 while one is left', async () => {
    const r = await runAgainstCluster(['discover'], { cluster: hardwareCluster(), ws: workspaceWithUnmeasured() });
    expect(r.code, r.stderr).toBe(EXIT.failed);
    expect(r.stdout).toContain('discover: 7 unmeasured inputs; 6 measured on the cluster, 1 not');
    expect(r.stdout).toContain('Paste into the site module ./site.ts, in place of each unmeasured(\'…\'):');
    const pasted = (input: string) => r.stdout.split('\n')[r.stdout.split('\n').indexOf(`  ${input}`) + 1];
    expect(pasted('nodes.n1.devices.zigbee.id')).toMatch(/^ {4}id: '1a86:55d4',  \/\/ ITead Sonoff Zigbee 3\.0 USB Dongle Plus V2, 1a86:55d4, bus 001 device 003$/);
    expect(pasted('nodes.n2.disks[1].device')).toMatch(/^ {4}device: '\/dev\/disk\/by-id\/ata-FAKE_SSD_500_S1',  \/\/ FAKE SSD 500, 465\.7 GiB, ssd, serial S1, now \/dev\/sdb$/);
    expect(pasted('nodes.n2.disks[2].device')).toMatch(/^ {4}device: '\/dev\/sdc',  \/\/ FAKE HDD 4T, 3725\.3 GiB, hdd, serial ZA1, wwn 0x5000c500aaaa0001, now \/dev\/sdc$/);
    expect(r.stdout).toContain('/dev/sdc is the kernel\'s name and can change at the next boot: prefer its /dev/disk/by-id/ link (`ls -l /dev/disk/by-id/ | grep ZA1` on the node)');
    expect(pasted('nodes.n2.disks[3].device')).toMatch(/^ {4}device: '\/dev\/sdd',/);
    expect(pasted('nodes.n2.devices.sdr.path')).toMatch(/^ {4}path: '\/dev\/bus\/usb\/001\/004',  \/\/ RTLSDRBlog Blog V4, 0bda:2838, bus 001 device 004$/);
    expect(pasted('nodes.n2.devices.radio.id')).toMatch(/^ {4}id: '10c4:ea60',/);
    expect(r.stdout).toContain('  nodes.n1.devices.zigbee.path: the device\'s USB id is not measured yet, and the PVE API names no serial device nodes');
    expect(r.stdout).toContain('    how: its serial node: `ls -l /dev/serial/by-id/` on the node');
    expect(r.server!.requests.map((q) => `${q.method} ${q.path} ${JSON.stringify(q.params)}`)).toEqual([
      'GET /nodes/n1/hardware/usb {"node":"n1"}',
      'GET /nodes/n2/disks/list {"skipsmart":"1","node":"n2"}',
      'GET /nodes/n2/hardware/usb {"node":"n2"}',
    ]);
  }, 60_000);

  it('--node n2 --json: only that node\'s inputs, every one matched, exit 0', async () => {
    const r = await runAgainstCluster(['discover', '--node', 'n2', '--json'], { cluster: hardwareCluster(), ws: workspaceWithUnmeasured() });
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.unmatched).toEqual([]);
    expect(doc.matched.map((m: { input: string; paste: string }) => `${m.input} ${m.paste}`)).toEqual([
      "nodes.n2.disks[1].device device: '/dev/disk/by-id/ata-FAKE_SSD_500_S1'",
      "nodes.n2.disks[2].device device: '/dev/sdc'",
      "nodes.n2.disks[3].device device: '/dev/sdd'",
      "nodes.n2.devices.sdr.path path: '/dev/bus/usb/001/004'",
      "nodes.n2.devices.radio.id id: '10c4:ea60'",
    ]);
    expect(r.server!.requests.map((q) => q.path)).toEqual(['/nodes/n2/disks/list', '/nodes/n2/hardware/usb']);
  }, 60_000);

  it('a node the API cannot reach: its inputs are reported with the API\'s answer; the other node is still read', async () => {
    const cluster = hardwareCluster();
    cluster.nodes[1]!.online = false;
    const r = await runAgainstCluster(['discover', '--json'], { cluster, ws: workspaceWithUnmeasured() });
    expect(r.code, r.stderr).toBe(EXIT.failed);
    const doc = JSON.parse(r.stdout);
    expect(doc.matched.map((m: { input: string }) => m.input)).toEqual(['nodes.n1.devices.zigbee.id']);
    const disk = doc.unmatched.find((u: { input: string }) => u.input === 'nodes.n2.disks[1].device');
    expect(disk.reason).toMatch(/^the disks of n2 could not be listed: GET \/nodes\/n2\/disks\/list failed: HTTP 595/);
  }, 60_000);

  it('two disks fit one input: nothing is guessed, both are candidates', async () => {
    const cluster = hardwareCluster();
    cluster.nodes[1]!.disks!.push({ devpath: '/dev/sde', size: 500 * GB, type: 'ssd', model: 'OTHER SSD', serial: 'S2' });
    const r = await runAgainstCluster(['discover', '--node', 'n2', '--json'], { cluster, ws: workspaceWithUnmeasured() });
    const doc = JSON.parse(r.stdout);
    const osd = doc.unmatched.find((u: { input: string }) => u.input === 'nodes.n2.disks[1].device');
    expect(osd.reason).toBe('2 disks on n2 fit the 1 ssd ceph-osd disk of about 500 GiB: pick by serial');
    expect(osd.candidates.map((c: { paste: string }) => c.paste)).toEqual(["device: '/dev/disk/by-id/ata-FAKE_SSD_500_S1'", "device: '/dev/sde'"]);
  }, 60_000);

  it('refuses an unknown --node (exit 2) and, without the API settings, says which to set (exit 4)', async () => {
    const ws = workspaceWithUnmeasured();
    const bad = await runAgainstCluster(['discover', '--node', 'n9'], { ws });
    expect(bad.code).toBe(EXIT.usage);
    expect(bad.stderr).toContain('--node n9: the site "test-lab" has no node of that name; its nodes are n1, n2.');
    const off = await runAgainstCluster(['discover'], { ws });
    expect(off.code).toBe(EXIT.setup);
    expect(off.stderr).toContain(`PROXMOX_VE_API_TOKEN is not exported and no token is stored in ${off.state}/secrets/proxmox-api-token (`);
  }, 60_000);
});
