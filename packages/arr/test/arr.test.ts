import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkRenderedFiles, type ConfigFile } from '@homelab/core';
import { fixtureSite as site, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';
import arr, { EXPORTERS, KILL_SWITCH, WEB_PORTS } from '../src/index.ts';

const a = await synthesizeFor(site, 'arr');
const here = placementOf(site, 'arr');
const traefik = placementOf(site, 'traefik');
const tf = a.json('terraform/cdk.tf.json');
const ct = tf.resource.proxmox_virtual_environment_container.arr;
const composeText = a.text('files/arr/opt/stacks/arr/compose.yml');
const compose = parse(composeText);
const services = compose.services as Record<string, any>;

describe('arr: infrastructure', () => {
  it('is its address-plan LXC with CPU weight 1024 (normal)', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 1024 }, unprivileged: true });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe(here.cidr);
  });
  it('runs Docker (nesting from Terraform, keyctl from the root step) and gets /dev/net/tun for Gluetun from the root step', () => {
    expect(ct.features).toEqual({ nesting: true });
    expect(ct.lifecycle.ignore_changes).toEqual(expect.arrayContaining(['features', 'device_passthrough']));
    expect(a.rootSettings(here.vmid!).features).toBe('keyctl=1,nesting=1');
    expect(a.rootSettings(here.vmid!).dev0).toBe('/dev/net/tun,mode=0660');
    expect(Object.keys(a.rootSettings(here.vmid!)).filter((k) => k.startsWith('dev'))).toEqual(['dev0']);
    expect(ct.device_passthrough).toBeUndefined();
  });
  it('bind-mounts the whole NFS export from the Proxmox host at /data, read-write, once (root step)', () => {
    const mps = Object.entries(a.rootSettings(here.vmid!)).filter(([k]) => /^mp\d+$/.test(k));
    expect(mps).toEqual([['mp0', `${site.storage.nfs.hostMountPath},backup=0,mp=/data`]]);
    expect(mps[0]![1]).not.toContain('ro=1');
    expect(ct.mount_point).toBeUndefined();
    expect(ct.lifecycle.ignore_changes).toContain('mount_point');
  });
  it('boots after its dependencies', () => {
    expect(ct.startup.order).toBeGreaterThan(2);
  });
  it('is valid Terraform JSON for bpg/proxmox', () => {
    const r = validateArtifact('terraform-json', a.text('terraform/cdk.tf.json'), 'cdk.tf.json');
    expect(r.problems).toEqual([]);
  });
});

describe('arr: the VPN kill switch', () => {
  it('runs SABnzbd in Gluetun\'s network namespace with no ports of its own', () => {
    expect(services.sabnzbd.network_mode).toBe('service:gluetun');
    expect(services.sabnzbd.ports).toBeUndefined();
    expect(services.sabnzbd.networks).toBeUndefined();
    expect(services.sabnzbd.depends_on).toEqual({ gluetun: { condition: 'service_healthy' } });
  });
  it('gives Gluetun NET_ADMIN and /dev/net/tun, and publishes SABnzbd\'s UI', () => {
    expect(services.gluetun.cap_add).toEqual(['NET_ADMIN']);
    expect(services.gluetun.devices).toEqual(['/dev/net/tun:/dev/net/tun']);
    expect(services.gluetun.ports).toEqual([`${WEB_PORTS.sabnzbd}:${WEB_PORTS.sabnzbd}`]);
  });
  it('lets only replies to Traefik (the ingress) out of eth0, not the whole LAN, and takes the provider and keys from the env', () => {
    const env = services.gluetun.environment;
    expect(env.FIREWALL_OUTBOUND_SUBNETS).toBe(`${traefik.ip}/32`);
    expect(env.FIREWALL_OUTBOUND_SUBNETS).not.toContain(site.network.cidr);
    expect(env.VPN_TYPE).toBe('wireguard');
    expect(env.VPN_SERVICE_PROVIDER).toMatch(/^\$\{ARR_VPN_SERVICE_PROVIDER:\?/);
    expect(env.WIREGUARD_PRIVATE_KEY).toMatch(/^\$\{ARR_WIREGUARD_PRIVATE_KEY:\?/);
    expect(env.WIREGUARD_ADDRESSES).toMatch(/^\$\{ARR_WIREGUARD_ADDRESSES:\?/);
  });
  it('states the routing fact in facts.killSwitch, and the Compose file agrees with it', () => {
    expect(arr.facts?.killSwitch).toEqual({ gateway: 'gluetun', clients: ['sabnzbd'] });
    for (const client of KILL_SWITCH.clients) {
      expect(services[client].network_mode).toBe(`service:${KILL_SWITCH.gateway}`);
      expect(services[client].ports).toBeUndefined();
    }
    expect(services[KILL_SWITCH.gateway].cap_add).toContain('NET_ADMIN');
  });
  it('keeps the other apps off the tunnel namespace', () => {
    for (const app of ['sonarr', 'radarr', 'prowlarr', 'bazarr', 'overseerr']) expect(services[app].network_mode).toBeUndefined();
  });
});

describe('arr: compose stack', () => {
  it('runs the six apps, Gluetun and four exportarr sidecars', () => {
    expect(Object.keys(services).sort()).toEqual([
      'bazarr', 'exportarr-prowlarr', 'exportarr-radarr', 'exportarr-sabnzbd', 'exportarr-sonarr',
      'gluetun', 'overseerr', 'prowlarr', 'radarr', 'sabnzbd', 'sonarr',
    ]);
  });
  it('pins every image to a version tag', () => {
    for (const [name, s] of Object.entries(services)) {
      expect(s.image, name).toMatch(/:[^:@/]*\d[^:@/]*$/);
      expect(s.image, name).not.toMatch(/:latest$/);
    }
    expect(services.gluetun.image).toMatch(/^docker\.io\/qmcgaw\/gluetun:v\d/);
    for (const app of ['sonarr', 'radarr', 'prowlarr', 'bazarr', 'overseerr', 'sabnzbd']) expect(services[app].image).toMatch(/^lscr\.io\/linuxserver\//);
  });
  it('gives the apps that move files the one /data mount, so imports are renames', () => {
    for (const app of ['sonarr', 'radarr', 'bazarr', 'sabnzbd']) expect(services[app].volumes).toContain('/data:/data');
  });
  it('reads the Servarr API keys from config.xml and SABnzbd\'s from the env for exportarr', () => {
    expect(services['exportarr-sonarr']).toMatchObject({ command: ['sonarr'], environment: { CONFIG: '/config/config.xml', URL: 'http://sonarr:8989' }, volumes: ['./config/sonarr:/config:ro'] });
    expect(services['exportarr-sabnzbd'].environment).toMatchObject({ URL: 'http://gluetun:8080', APIKEY: expect.stringMatching(/^\$\{ARR_SABNZBD_API_KEY:\?/) });
  });
  it('declares every exporter as a metrics endpoint on the port it publishes', () => {
    const s = arr.metrics!.map((m) => [m.name, m.port]);
    expect(s).toEqual(Object.entries(EXPORTERS).map(([app, port]) => [`exportarr-${app}`, port]));
    for (const [app, port] of Object.entries(EXPORTERS)) expect(services[`exportarr-${app}`].ports).toEqual([`${port}:${port}`]);
  });
  it('passes the Compose specification\'s schemas', () => {
    const r = validateArtifact('compose', composeText, 'compose.yml');
    expect(r.problems).toEqual([]);
  });
});

describe('arr: files and secrets', () => {
  const manifest = a.json('manifest.json');
  const target = (path: string) => manifest.artifacts.find((x: any) => x.target?.path === path)?.target;
  const plays = parse(a.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
  const task = (name: string) => plays.find((p) => p.hosts === 'arr')!.tasks.find((k) => k.name === name)!;
  it('writes the four secrets into a 0600 .env by name only', () => {
    expect(target('/opt/stacks/arr/.env')?.mode).toBe('0600');
    const dotenv = a.text('files/arr/opt/stacks/arr/.env');
    for (const name of ['ARR_VPN_SERVICE_PROVIDER', 'ARR_WIREGUARD_PRIVATE_KEY', 'ARR_WIREGUARD_ADDRESSES', 'ARR_SABNZBD_API_KEY']) {
      expect(dotenv).toContain(`${name}={{ lookup('ansible.builtin.env', '${name}') }}`);
      expect(manifest.env).toContain(name);
    }
  });
  it('seeds sabnzbd.ini once (0600) with the route\'s host name whitelisted and the API key by reference', () => {
    const ini = a.text('files/arr/opt/stacks/arr/config/sabnzbd/sabnzbd.ini');
    expect(ini).toContain(`host_whitelist = sabnzbd.${site.domain},`);
    expect(ini).toContain("api_key = {{ lookup('ansible.builtin.env', 'ARR_SABNZBD_API_KEY') }}");
    expect(ini).toContain('complete_dir = /data/downloads/complete');
    expect(task('Install /opt/stacks/arr/config/sabnzbd/sabnzbd.ini')['ansible.builtin.template']).toMatchObject({ mode: '0600', owner: '1000', force: false });
  });
});

describe('arr: routes', () => {
  const routes = parse(a.text('files/traefik/etc/traefik/dynamic/arr.yml'));
  it.each(Object.entries(WEB_PORTS))('routes %s behind Authentik to port %i', (app, port) => {
    expect(routes.http.routers[`arr-${app}`]).toMatchObject({ rule: `Host(\`${app}.${site.domain}\`)`, middlewares: ['authentik@file'] });
    expect(routes.http.services[`arr-${app}`].loadBalancer.servers).toEqual([{ url: `http://${here.ip}:${port}` }]);
  });
  it('gives each protected UI an Authentik provider', () => {
    const bp = a.text('files/authentik/opt/stacks/authentik/blueprints/homelab/arr.yaml');
    expect(bp.match(/model: authentik_providers_proxy\.proxyprovider/g)).toHaveLength(6);
  });
});

describe('arr: the kill-switch policy rule reads this Compose file', () => {
  const s = a.synthesis;
  const mine = s.results.find((r) => r.service === 'arr')!.configFiles;
  const check = (files: readonly ConfigFile[]) => checkRenderedFiles(s.home, new Map([['arr', files]])).filter((p) => p.source === 'packages/arr');
  const edit = (change: (services: Record<string, any>) => void) => mine.map((f) => {
    if (f.format !== 'compose') return f;
    const doc = parse(f.content);
    change(doc.services);
    return { ...f, content: JSON.stringify(doc) };
  });
  it('finds nothing wrong with the rendered stack', () => {
    expect(check(mine)).toEqual([]);
  });
  it.each<[string, (services: Record<string, any>) => void, string, string]>([
    ['SABnzbd on the default network', (x) => { delete x.sabnzbd.network_mode; }, 'DownloadClientOutsideVpn', 'services.sabnzbd.network_mode'],
    ['SABnzbd publishing its own port', (x) => { x.sabnzbd.ports = ['8080:8080']; }, 'DownloadClientOwnNetwork', 'services.sabnzbd.ports'],
    ['Gluetun without /dev/net/tun', (x) => { delete x.gluetun.devices; }, 'VpnGatewayWithoutTunnel', 'services.gluetun.devices'],
    ['exportarr joining SABnzbd\'s namespace', (x) => { x['exportarr-sabnzbd'].network_mode = 'service:sabnzbd'; delete x['exportarr-sabnzbd'].ports; }, 'UndeclaredVpnNamespaceShare', 'services.exportarr-sabnzbd.network_mode'],
    ['Gluetun opening the whole LAN', (x) => { x.gluetun.environment.FIREWALL_OUTBOUND_SUBNETS = site.network.cidr; }, 'VpnOutboundTooBroad', 'services.gluetun.environment.FIREWALL_OUTBOUND_SUBNETS'],
    ['Gluetun opening a host beyond the LAN', (x) => { x.gluetun.environment.FIREWALL_OUTBOUND_SUBNETS = `${traefik.ip}/32,1.1.1.1/32`; }, 'VpnOutboundOutsideLan', 'services.gluetun.environment.FIREWALL_OUTBOUND_SUBNETS'],
  ])('would report %s', (_name, change, code, path) => {
    expect(check(edit(change)).map((p) => [p.code, p.path])).toContainEqual([code, `files[/opt/stacks/arr/compose.yml].${path}`]);
  });
});

describe('arr: guest firewall (issue 9: the LAN reached Sonarr and SABnzbd around Authentik)', () => {
  const rules = tf.resource.proxmox_virtual_environment_firewall_rules?.arr_firewall_rules?.rule ?? [];
  const byPort = Object.fromEntries(rules.map((r: any) => [r.dport, r]));
  it('is on, with input DROP, for its LXC', () => {
    expect(tf.resource.proxmox_virtual_environment_firewall_options?.arr_firewall).toMatchObject({ node_name: here.node, container_id: here.vmid, enabled: true, input_policy: 'DROP' });
  });
  it('opens every web UI (Sonarr, Radarr, Prowlarr, Bazarr, Overseerr, SABnzbd) only to Traefik\'s address', () => {
    for (const port of [8989, 7878, 9696, 6767, 5055, 8080]) {
      expect(byPort[String(port)], String(port)).toMatchObject({ type: 'in', action: 'ACCEPT', proto: 'tcp', source: traefik.ip });
    }
  });
  it('opens the exportarr ports only to the monitoring guest', () => {
    for (const port of Object.values(EXPORTERS)) expect(byPort[String(port)], String(port)).toMatchObject({ proto: 'tcp', source: site.addressPlan.monitoring!.ip });
  });
  it('opens nothing else but SSH from the management sources', () => {
    const expected = ['22', '5055', '6767', '7878', '8080', '8989', '9696', ...Object.values(EXPORTERS).map(String)].sort();
    expect(rules.map((r: any) => r.dport).sort()).toEqual(expected);
    expect(byPort['22'].source.split(',').sort()).toEqual([...site.management.sources].sort());
  });
  it('is covered by the provider schema check: a wrong policy in it is rejected', () => {
    const broken = structuredClone(tf);
    broken.resource.proxmox_virtual_environment_firewall_options.arr_firewall.input_policy = 'deny';
    const r = validateArtifact('terraform-json', JSON.stringify(broken), 'cdk.tf.json');
    expect(r.problems.map((p) => p.path)).toEqual(['/resource/proxmox_virtual_environment_firewall_options/arr_firewall/input_policy']);
  });
});
