/**
 * This site's own contract, checked once: where every guest and Pi lives (the seed's VMIDs,
 * addresses and nodes, and the placements assumptions.ts chose), its domain, and that the whole
 * site synthesizes with no problem. Package tests assert structure against core's fixture site;
 * the values of this homelab are asserted here and nowhere else.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { isUnmeasured } from '@homelab/core/model';
import { ADDRESS_PLAN, DOMAIN, site } from '../src/index.ts';
import { synthesized, synthesizeThisSite } from '../src/synthesize.ts';

/** Proxmox guests: service → [VMID, node, address] (seed: Service Catalog and Kubernetes tables). */
const GUESTS: Record<string, [number, string, string]> = {
  traefik: [200, 'pve1', '192.168.86.20'],
  'recipe-site': [201, 'pve3', '192.168.86.21'],
  arr: [202, 'pve2', '192.168.86.22'],
  plex: [203, 'pve3', '192.168.86.23'],
  jellyfin: [204, 'tower1', '192.168.86.24'],
  monitoring: [205, 'pve1', '192.168.86.25'],
  authentik: [207, 'pve1', '192.168.86.28'],
  wireguard: [208, 'pve1', '192.168.86.39'],
  'sdr-scanner': [210, 'pve2', '192.168.86.32'],
  kanboard: [211, 'pve3', '192.168.86.33'],
  mailcow: [212, 'tower1', '192.168.86.34'],
  pxe: [213, 'pve1', '192.168.86.35'],
  zigbee2mqtt: [214, 'zotac', '192.168.86.36'],
  openclaw: [215, 'pve2', '192.168.86.37'],
  'libby-alert': [216, 'pve2', '192.168.86.38'],
  truenas: [300, 'tower1', '192.168.86.40'],
  'home-assistant': [301, 'tower1', '192.168.86.41'],
  pwnagotchi: [302, 'pve3', '192.168.86.42'],
};
/** The Kubernetes machines, all in the talos package. */
const TALOS: Record<string, [number, string, string]> = {
  'talos-cp-0': [400, 'tower1', '192.168.86.101'],
  'talos-worker-0': [411, 'pve2', '192.168.86.111'],
  'talos-worker-1': [412, 'pve3', '192.168.86.112'],
  'talos-worker-2': [413, 'zotac', '192.168.86.113'],
};
/** The Raspberry Pis: service → [host, address]. */
const PIS: Record<string, [string, string]> = {
  piboard: ['pi-piboard', '192.168.86.131'],
  'klipper-1': ['klipper-1', '192.168.86.132'],
  'klipper-2': ['klipper-2', '192.168.86.133'],
};

const GATEWAY = '192.168.86.1';

function guestsOf(stack: any): Record<string, any> {
  return { ...stack.resource?.proxmox_virtual_environment_container, ...stack.resource?.proxmox_virtual_environment_vm };
}

describe('this site: the address plan', () => {
  it('is the seed\'s plan, every entry of it and no other', () => {
    const plan = Object.fromEntries(Object.entries(ADDRESS_PLAN).map(([name, p]) => [name, p.host !== undefined ? [p.host, p.ip] : [p.vmid, p.node, p.ip]]));
    expect(plan).toEqual({ ...GUESTS, ...TALOS, ...PIS });
  });

  it.each(Object.entries(GUESTS))('%s is its guest at its VMID, on its node, at its address', async (name, [vmid, node, ip]) => {
    const guest = guestsOf((await synthesized(name)).json('terraform/cdk.tf.json'))[name];
    expect(guest).toMatchObject({ vm_id: vmid, node_name: node });
    expect(guest.initialization.ip_config[0].ipv4).toEqual({ address: `${ip}/24`, gateway: GATEWAY });
  });

  it('talos makes its four machines where the plan puts them', async () => {
    const guests = guestsOf((await synthesized('talos')).json('terraform/cdk.tf.json'));
    for (const [name, [vmid, node, ip]] of Object.entries(TALOS)) {
      expect(guests[name], name).toMatchObject({ vm_id: vmid, node_name: node });
      expect(guests[name].initialization.ip_config[0].ipv4, name).toEqual({ address: `${ip}/24`, gateway: GATEWAY });
    }
  });

  it.each(Object.entries(PIS))('%s is configured over SSH on its Pi', async (name, [host, ip]) => {
    const inventory = parse((await synthesized(name)).text('ansible/inventory.yml'));
    expect(Object.values(inventory.all.hosts)).toContainEqual(expect.objectContaining({ ansible_host: ip }));
    expect(site.externalHosts.find((h) => h.name === host)?.ip).toBe(ip);
  });
});

describe('this site: names', () => {
  it('serves its routes under woodhead.tech', async () => {
    expect(DOMAIN).toBe('woodhead.tech');
    const { home } = await synthesizeThisSite();
    const fqdns = home.services.flatMap((s) => s.routes.map((r) => r.fqdn));
    expect(fqdns.length).toBeGreaterThan(10);
    expect(fqdns.filter((f) => !f.endsWith('.woodhead.tech'))).toEqual([]);
  });
});

describe('this site: the whole-site synthesis', () => {
  it('has no problem: every package, every model, policy and rendered-file rule', async () => {
    const all = await synthesizeThisSite();
    expect(all.problems.map((p) => `${p.source} ${p.path} ${p.code}: ${p.message}`)).toEqual([]);
    expect(all.results.length).toBe(all.home.services.length);
  });
});

describe('this site: openclaw', () => {
  it('records every value the seed does not give openclaw as an assumption', async () => {
    // Imported here so this block stays one appended piece (moved from the openclaw package test).
    const { ASSUMPTIONS } = await import('../src/index.ts');
    expect(ASSUMPTIONS.map((a) => a.path)).toEqual(expect.arrayContaining(['addressPlan.openclaw', 'packages/openclaw.resources', 'packages/openclaw.group', 'packages/openclaw (workload)']));
  });
});

describe('this site: the values its package tests no longer spell (they assert against the fixture site)', () => {
  it('talos: the API VIP, the MetalLB pool, and the balloon floors of the ThinkCentre and zotac workers', async () => {
    const k = await synthesized('talos');
    expect(k.text('files/localhost/talos/talos-apply.sh')).toContain('readonly endpoint=https://192.168.86.100:6443');
    expect(k.text('files/localhost/talos/metallb/metallb-l2.yaml')).toContain('- 192.168.86.150-192.168.86.199');
    const vms = k.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_vm;
    expect(vms['talos-worker-0'].memory).toEqual({ dedicated: 8192, floating: 4096 });
    expect(vms['talos-worker-2'].memory).toEqual({ dedicated: 8192, floating: 8192 });
  });
  it('wireguard: clients reach wg.woodhead.tech:51820 and route 10.10.0.0/24 only', async () => {
    const laptop = (await synthesized('wireguard')).text('files/localhost/etc/wireguard/clients/laptop.conf');
    expect(laptop).toContain('AllowedIPs = 10.10.0.0/24\nEndpoint = wg.woodhead.tech:51820\n');
  });
  it('proxmox: the nodes mount the TrueNAS media export', async () => {
    const p = await synthesized('proxmox');
    const mount = [...p.files.keys()].find((f) => f.endsWith('.mount'))!;
    expect(p.text(mount)).toContain('What=192.168.86.40:/mnt/tank/media\nWhere=/mnt/pve/truenas-media\n');
  });
  it('zigbee2mqtt: the coordinator on zotac is unmeasured, so no serial port is written and the manifest says what is missing', async () => {
    const z = await synthesized('zigbee2mqtt');
    expect(parse(z.text('files/zigbee2mqtt/opt/stacks/zigbee2mqtt/data/configuration.yaml')).serial).toEqual({ adapter: 'ember' });
    expect(parse(z.text('files/zigbee2mqtt/opt/stacks/zigbee2mqtt/compose.yml')).services.zigbee2mqtt.devices).toBeUndefined();
    expect(z.json('manifest.json').unmeasured.map((u: { input: string }) => u.input)).toEqual(['nodes.zotac.devices.zigbee-coordinator.path', 'imageChecksums.debian-13']);
  });
});

/** Values moved here from the package tests of dns and ceph, which now assert structure against the fixture site. */
describe('this site: DNS, router forwards and Ceph', () => {
  it('dns: the wildcard and wg. point at the public address, the apex and www. at Cloudflare Pages', () => {
    expect(site.dns.records.map((r) => [r.name, r.proxied, r.type, r.content])).toEqual([
      ['*.woodhead.tech', false, 'A', '${var.public_ip}'],
      ['wg.woodhead.tech', false, 'A', '${var.public_ip}'],
      ['woodhead.tech', true, 'CNAME', 'woodhead-tech.pages.dev'],
      ['www.woodhead.tech', true, 'CNAME', 'woodhead-tech.pages.dev'],
    ]);
  });
  it('the router forwards 80/443 to Traefik (.20) and 51820/udp to WireGuard (.39)', () => {
    expect(site.portForwards.map((f) => `${f.port}/${f.protocol} ${site.addressPlan[f.service]!.ip}`)).toEqual(['80/tcp 192.168.86.20', '443/tcp 192.168.86.20', '51820/udp 192.168.86.39']);
  });
  it('ceph: six OSDs, SSDs on pve2, pve3 and zotac, three HDDs in tower1; the 3/2 pool rbd-k8s; monitors on pve1, tower1 and zotac', () => {
    // The seed's hardware table lists none of these disks' ids (and the ThinkCentres' and the Zotac's OSD SSDs not at all).
    const osds = site.nodes.flatMap((n) => n.disks.filter((d) => d.role === 'ceph-osd').map((d) => `${n.name}:${d.kind}:${isUnmeasured(d.device) ? 'unmeasured' : d.device}`));
    expect(osds).toEqual(['pve2:ssd:unmeasured', 'pve3:ssd:unmeasured', 'tower1:hdd:unmeasured', 'tower1:hdd:unmeasured', 'tower1:hdd:unmeasured', 'zotac:ssd:unmeasured']);
    expect(site.storage.ceph).toMatchObject({ pool: 'rbd-k8s', size: 3, minSize: 2, monitors: ['pve1', 'tower1', 'zotac'] });
    expect(site.storage.ceph!.monitors.map((m) => site.nodes.find((n) => n.name === m)!.ip)).toEqual(['192.168.86.29', '192.168.86.130', '192.168.86.147']);
  });
});
