/**
 * The matching rules of `homelab discover` (fleet/discover.ts) on hand-made listings: a value is
 * offered only when the listing decides it, never guessed.
 */
import { describe, expect, it } from 'vitest';
import { discoverInputs, siteHardwareInputs, unmeasured, type NodeHardware, type PveDisk, type PveUsbDevice, type Site } from '../../src/index.ts';
import { testSite } from '../fixtures/test-site.ts';

const GB = 1e9;
const how = unmeasured('measure it on the node');
const disk = (devpath: string, sizeGB: number, extra: Partial<PveDisk> = {}): PveDisk => ({ devpath, size: sizeGB * GB, osdid: -1, gpt: true, mounted: false, ...extra });
const usb = (vendid: string, prodid: string, extra: Partial<PveUsbDevice> = {}): PveUsbDevice => ({ busnum: 1, devnum: 5, vendid, prodid, class: 0, level: 1, port: 1, speed: '12', ...extra });

function siteWithN2(disks: Site['nodes'][number]['disks'], devices: Site['nodes'][number]['devices'] = {}): Site {
  return { ...testSite, nodes: testSite.nodes.map((n) => (n.name === 'n2' ? { ...n, disks: [...n.disks, ...disks], devices: { ...n.devices, ...devices } } : n)) };
}
const run = (site: Site, hw: NodeHardware) => {
  const d = discoverInputs(site, siteHardwareInputs(site), new Map([['n2', hw]]));
  return { matched: d.matched.map((m) => `${m.input.path}=${m.value}`), unmatched: d.unmatched.map((u) => `${u.input.path}: ${u.reason}`) };
};

describe('discover: disks', () => {
  it('a ceph-osd class with more fitting disks than inputs is settled by the disks that are OSDs already', () => {
    const site = siteWithN2([{ kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: how }]);
    expect(run(site, { disks: [disk('/dev/sdb', 500, { type: 'ssd', osdid: 3, used: 'LVM' }), disk('/dev/sdc', 500, { type: 'ssd' })] }).matched).toEqual(['nodes.n2.disks[1].device=/dev/sdb']);
  });

  it('a passthrough disk is never an OSD nor the node\'s LVM; an NVMe disk counts as SSD; a mounted disk is nobody\'s', () => {
    const site = siteWithN2([{ kind: 'hdd', sizeGiB: 4096, role: 'passthrough', device: how }, { kind: 'ssd', sizeGiB: 1024, role: 'ceph-osd', device: how }]);
    const r = run(site, {
      disks: [
        disk('/dev/sda', 4000, { type: 'hdd', osdid: 1, used: 'LVM' }), disk('/dev/sdb', 4000, { type: 'hdd', used: 'LVM' }), disk('/dev/sdc', 4000, { type: 'hdd', used: 'ZFS', by_id_link: '/dev/disk/by-id/ata-NAS' }),
        disk('/dev/nvme0n1', 1000, { mounted: true }), disk('/dev/nvme1n1', 1000),
      ],
    });
    expect(r).toEqual({ matched: ['nodes.n2.disks[1].device=/dev/disk/by-id/ata-NAS', 'nodes.n2.disks[2].device=/dev/nvme1n1'], unmatched: [] });
  });

  it('a disk the site has measured already is not offered again; a size outside the class is not taken', () => {
    const site = siteWithN2([{ kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: '/dev/disk/by-id/ata-KNOWN' }, { kind: 'ssd', sizeGiB: 500, role: 'ceph-osd', device: how }]);
    const r = run(site, { disks: [disk('/dev/sdb', 500, { by_id_link: '/dev/disk/by-id/ata-KNOWN' }), disk('/dev/sdc', 1000)] });
    expect(r.matched).toEqual([]);
    expect(r.unmatched).toEqual(['nodes.n2.disks[2].device: no disk on n2 fits the ssd ceph-osd disk of about 500 GiB (1 disk listed, none of that kind, size and use)']);
  });
});

describe('discover: devices', () => {
  it('a USB id with two unknown devices on the node is not guessed; a PCI device is left to the node', () => {
    const site = siteWithN2([], { radio: { kind: 'usb', id: how, description: 'radio stick' }, gpu: { kind: 'pci', id: how, description: 'GPU' } });
    const r = run(site, { usb: [usb('10c4', 'ea60'), usb('1a86', '55d4'), usb('1d6b', '0002', { class: 9 })] });
    expect(r.matched).toEqual([]);
    expect(r.unmatched).toEqual([
      'nodes.n2.devices.radio.id: 2 USB devices on n2 could be it (1 unmeasured USB id there): pick the radio stick',
      'nodes.n2.devices.gpu.id: the PVE API lists USB devices only; a pci device\'s id is measured on the node',
    ]);
  });

  it('a device path whose id is known: no such device plugged in is said so', () => {
    const site = siteWithN2([], { sdr: { kind: 'usb', id: '0bda:2838', path: how, description: 'SDR' } });
    expect(run(site, { usb: [usb('10c4', 'ea60')] }).unmatched).toEqual(['nodes.n2.devices.sdr.path: no USB device 0bda:2838 on n2: is it plugged in?']);
  });
});
