/**
 * This site's hardware facts that the seed does not give are unmeasured inputs: which ones, which
 * service waits for each, and that no synthesized file of this site carries any of them or a
 * stand-in for one (the invented ids and paths the site used to hold are gone for good).
 */
import { describe, expect, it } from 'vitest';
import { siteUnmeasuredInputs, unmeasuredInputsByService } from '@homelab/core/model';
import { site } from '../src/index.ts';
import { synthesizeThisSite } from '../src/synthesize.ts';

/** Values the site once invented; none may come back into an artifact. */
const INVENTED = ['ata-HDD-', '/dev/sdb', '/dev/nvme1n1', '001/002', '10c4:ea60', '1a86:55d4', '0bda:8812', '/dev/ttyACM0'];

describe('this site: unmeasured hardware facts', () => {
  it('lists every hardware fact the seed does not give, with the services that wait for it', async () => {
    const { home } = await synthesizeThisSite();
    const hardware = unmeasuredInputsByService(site, home.services).filter(({ input }) => input.kind !== 'image-checksum');
    expect(hardware.map(({ input, services }) => `${input.path} <- ${services.join(', ')}`)).toEqual([
      'nodes.pve2.disks[1].device <- ceph',
      'nodes.pve2.devices.rtl-sdr.path <- sdr-scanner',
      'nodes.pve3.disks[1].device <- ceph',
      'nodes.pve3.devices.wifi-monitor.id <- pwnagotchi',
      'nodes.tower1.disks[1].device <- ceph',
      'nodes.tower1.disks[2].device <- ceph',
      'nodes.tower1.disks[3].device <- ceph',
      'nodes.tower1.disks[4].device <- truenas',
      'nodes.tower1.disks[5].device <- truenas',
      'nodes.tower1.devices.ha-usb.id <- home-assistant',
      'nodes.zotac.disks[1].device <- ceph',
      'nodes.zotac.devices.zigbee-coordinator.id <- ',
      'nodes.zotac.devices.zigbee-coordinator.path <- zigbee2mqtt',
    ]);
  });

  it('every manifest of a waiting service names its inputs and how to measure them; the others have none', async () => {
    const { results } = await synthesizeThisSite();
    const hardwareOf = (r: (typeof results)[number]) => (r.manifest.unmeasured ?? []).filter((u) => u.input.startsWith('nodes.'));
    const waiting = Object.fromEntries(results.filter((r) => hardwareOf(r).length).map((r) => [r.service, hardwareOf(r).map((u) => u.input)]));
    expect(Object.keys(waiting).sort()).toEqual(['ceph', 'home-assistant', 'pwnagotchi', 'sdr-scanner', 'truenas', 'zigbee2mqtt']);
    expect(waiting.truenas).toEqual(['nodes.tower1.disks[4].device', 'nodes.tower1.disks[5].device']);
    for (const r of results) for (const u of hardwareOf(r)) expect(u.measure, `${r.service} ${u.input}`).toMatch(/`[^`]+` on the node/);
  });

  it('no image checksum is pinned yet: each downloadable image its guests boot from is an input, naming the vendor\'s list; the guests\' services wait for it', async () => {
    const { home } = await synthesizeThisSite();
    const images = unmeasuredInputsByService(site, home.services).filter(({ input }) => input.kind === 'image-checksum');
    expect(images.map(({ input }) => input.path)).toEqual(['imageChecksums.debian-12-vm', 'imageChecksums.debian-13', 'imageChecksums.haos', 'imageChecksums.talos-1.13', 'imageChecksums.truenas-scale']);
    const waiting = Object.fromEntries(images.map(({ input, services }) => [input.path.slice('imageChecksums.'.length), services]));
    expect(waiting['talos-1.13']).toEqual(['talos']);
    expect(waiting['truenas-scale']).toEqual(['truenas']);
    expect(waiting['debian-12-vm']).toEqual(['pwnagotchi']);
    // Bootstrap fetches HAOS on its node: the same pin, verified there.
    expect(waiting.haos).toEqual(['home-assistant']);
    expect(waiting['debian-13']).toEqual(expect.arrayContaining(['traefik', 'authentik', 'monitoring', 'zigbee2mqtt']));
    for (const notLxc of ['proxmox', 'talos', 'truenas', 'home-assistant', 'dns']) expect(waiting['debian-13']).not.toContain(notLxc);
    expect(images.find(({ input }) => input.path === 'imageChecksums.truenas-scale')!.input.how)
      .toBe('sha256 of https://download.sys.truenas.net/TrueNAS-SCALE-Goldeye/25.10.1/TrueNAS-SCALE-25.10.1.iso: the SHA-256 TrueNAS publishes beside the ISO (https://download.sys.truenas.net/TrueNAS-SCALE-Goldeye/25.10.1/TrueNAS-SCALE-25.10.1.iso.sha256), or curl -fsSL https://download.sys.truenas.net/TrueNAS-SCALE-Goldeye/25.10.1/TrueNAS-SCALE-25.10.1.iso | sha256sum');
  });

  it('the hypervisor stack downloads no image while no checksum is pinned: nothing unverified reaches dist/', async () => {
    const { results } = await synthesizeThisSite();
    const proxmox = results.find((r) => r.service === 'proxmox')!;
    const stack = JSON.parse(proxmox.files.get('terraform/cdk.tf.json')!) as { resource?: Record<string, unknown> };
    expect(Object.keys(stack.resource ?? {})).toContain('proxmox_virtual_environment_role');
    expect(stack.resource?.proxmox_download_file).toBeUndefined();
  });

  it('no synthesized artifact carries an unmeasured marker, its text, or a value the site once invented', async () => {
    const { results } = await synthesizeThisSite();
    const markers = siteUnmeasuredInputs(site).map((i) => i.how);
    expect(markers.length).toBeGreaterThan(0);
    for (const r of results) {
      for (const [file, content] of r.files) {
        // The manifest says what is missing, by design; every other file holds none of it.
        if (file === 'manifest.json') continue;
        expect(content, `${r.service}/${file}`).not.toContain('unmeasured');
        for (const marker of markers) expect(content, `${r.service}/${file}`).not.toContain(marker);
        for (const value of INVENTED) expect(content, `${r.service}/${file}`).not.toContain(value);
      }
    }
  });
});
