import { describe, expect, it } from 'vitest';
import {
  buildHomelab, hostGuardFiles, ingressAddresses, ProxmoxFirewallOptions, ProxmoxFirewallRules, synthesizeSite, validateArtifact,
  type ServiceProps,
} from '../../src/index.ts';
import { entries } from '../fixtures/test-site.ts';
import { registry } from '../validate/helpers.ts';
import { appWith, expectNone, lab, labSite, only, withDefs } from './helpers.ts';
import { replace } from '../corpus/fixtures.ts';

const CODES = ['AdminBackendWithoutFirewall', 'AdminBackendOpenToNetwork', 'AdminPortOpenedToNetwork', 'FirewallSourceUnknown'];
const ports = [{ port: 3000, protocol: 'tcp', description: 'web UI' }];
// app is the lab's admin backend: LXC 102 on n2 at 10.20.0.22, route app.example.test → :3000 behind Authentik.
const opensTo = (source: string): ServiceProps['terraform'] => (scope) => {
  new ProxmoxFirewallRules(scope, 'extra_rules', { node_name: 'n2', container_id: 102, rule: [{ type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '3000', source }] });
};
const pi = (files: ServiceProps['files']): ServiceProps => ({
  name: 'pi', description: 'a printer host', kind: 'external', tier: 'normal', group: 'special',
  routes: [{ host: 'printer', port: 80, auth: 'authentik', admin: true }],
  ports: [{ port: 80, protocol: 'tcp', description: 'web UI' }],
  dependsOn: ['proxy', 'idp'], files,
});

describe('admin-backend-reach', () => {
  it('passes the lab: every admin backend has its generated firewall, open only to the ingress', () => {
    expectNone(withDefs(appWith({ ports })), ...CODES);
  });
  it('passes a port opened to a named service, and a network let into a port that is no admin backend', () => {
    expectNone(withDefs(appWith({ ports: [{ ...ports[0], from: ['idp'] }, { port: 9100, protocol: 'tcp', description: 'metrics', from: ['lan', 'vpn'] }] })), ...CODES);
  });
  it('AdminBackendWithoutFirewall: the package turned the guest firewall off', () => {
    const problems = only(withDefs(appWith({ ports, firewall: { enabled: false, reason: 'testing' } })), ...CODES);
    expect(problems).toEqual([expect.objectContaining({ source: 'packages/app', path: 'routes[0]', code: 'AdminBackendWithoutFirewall', received: 'testing' })]);
    expect(problems[0]!.message).toContain('admin route app.example.test (app) → 10.20.0.22:3000');
    expect(problems[0]!.message).toContain('has no firewall');
    expect(problems[0]!.fix).toContain('Remove firewall: { enabled: false } from app');
  });
  it('AdminBackendWithoutFirewall: a terraform hook switches the firewall off again', () => {
    const terraform: ServiceProps['terraform'] = (scope) => {
      new ProxmoxFirewallOptions(scope, 'off', { node_name: 'n2', container_id: 102, enabled: false });
    };
    const problems = only(withDefs(appWith({ ports, terraform })), ...CODES);
    expect(problems).toEqual([expect.objectContaining({ path: 'routes[0]', code: 'AdminBackendWithoutFirewall' })]);
    expect(problems[0]!.message).toContain('(proxmox_virtual_environment_firewall_options.off) is disabled');
  });
  it('AdminBackendOpenToNetwork: a rule opens the admin port to the LAN, or to anyone', () => {
    for (const [source, shown] of [['10.20.0.0/24', '10.20.0.0/24'], ['', 'anywhere'], ['10.20.0.99', '10.20.0.99']] as const) {
      const problems = only(withDefs(appWith({ ports, terraform: opensTo(source) })), ...CODES);
      expect(problems, source).toEqual([expect.objectContaining({ source: 'packages/app', path: 'routes[0]', code: 'AdminBackendOpenToNetwork', received: source })]);
      expect(problems[0]!.message).toContain(`accepts port 3000 from ${shown}, not only from the ingress (10.20.0.20)`);
    }
  });
  it('AdminPortOpenedToNetwork + AdminBackendOpenToNetwork: ports[].from lets the LAN into the admin port', () => {
    const problems = only(withDefs(appWith({ ports: [{ ...ports[0], from: ['lan'] }] })), ...CODES);
    expect(problems.map((p) => `${p.code} ${p.path}`).sort()).toEqual(['AdminBackendOpenToNetwork routes[0]', 'AdminPortOpenedToNetwork ports[0]']);
    expect(problems.find((p) => p.code === 'AdminPortOpenedToNetwork')!.message).toBe('3000/tcp is the backend of admin route app.example.test (app), behind Authentik, but it is opened to lan, who reach it without Authentik');
  });
  it('AdminPortOpenedToNetwork: an admin backend port declared public', () => {
    const problems = only(withDefs(appWith({ ports: [{ ...ports[0], public: true }] })), 'AdminPortOpenedToNetwork');
    expect(problems).toEqual([expect.objectContaining({ path: 'ports[0]' })]);
    expect(problems[0]!.message).toContain('opened to the internet (public: true)');
  });
  it('FirewallSourceUnknown: from names nothing the model knows', () => {
    const problems = only(withDefs(appWith({ ports: [{ ...ports[0], from: ['nobody'] }] })), ...CODES);
    expect(problems).toEqual([expect.objectContaining({ path: 'ports[0].from', code: 'FirewallSourceUnknown', received: 'nobody' })]);
  });
  it('AdminBackendWithoutFirewall: an external host without its ingress guard; passes with it', () => {
    const without = only(withDefs(pi(() => [])), ...CODES);
    expect(without).toEqual([expect.objectContaining({ source: 'packages/pi', path: 'routes[0]', code: 'AdminBackendWithoutFirewall' })]);
    expect(without[0]!.message).toContain('pi is not a Proxmox guest and no guard at /etc/homelab/ingress-guard.nft limits port 80 to the ingress (10.20.0.20)');
    expectNone(withDefs(pi((ctx) => hostGuardFiles({ ports: [80], allow: ingressAddresses(ctx.services) }))), ...CODES);
  });
});

describe('the generated guest firewall (lab)', () => {
  const synth = (defs: readonly ServiceProps[]) => synthesizeSite(buildHomelab(labSite, entries(...defs)));
  const defs = replace(lab(), appWith({ ports: [...ports, { port: 9100, protocol: 'tcp', description: 'metrics' }], metrics: [{ name: 'node', port: 9100 }] }),
    { name: 'scraper', description: 'metrics scraper', kind: 'lxc', tier: 'low', group: 'apps', provides: ['metrics'], resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] } } as ServiceProps);
  const site = { ...labSite, addressPlan: { ...labSite.addressPlan, scraper: { node: 'n1', vmid: 112, ip: '10.20.0.32' } } };
  const run = () => synthesizeSite(buildHomelab(site, entries(...defs)));
  const tfText = (s: ReturnType<typeof synth>, name: string) => s.results.find((r) => r.service === name)!.files.get('terraform/cdk.tf.json')!;
  const first = run();
  const tf = JSON.parse(tfText(first, 'app'));

  it('drops everything by default, after the guest exists and its rules are in place', () => {
    expect(first.problems.filter((p) => p.severity !== 'warning')).toEqual([]);
    expect(tf.resource.proxmox_virtual_environment_firewall_options.app_firewall).toEqual({
      node_name: 'n2', container_id: 102, enabled: true, input_policy: 'DROP', output_policy: 'ACCEPT',
      depends_on: ['proxmox_virtual_environment_container.app', 'proxmox_virtual_environment_firewall_rules.app_firewall_rules'],
    });
  });
  it('opens the route port to the ingress only, the metrics port to the scraper only, SSH to the management sources', () => {
    const rules = tf.resource.proxmox_virtual_environment_firewall_rules.app_firewall_rules.rule;
    expect(rules.map((r: any) => [r.dport, r.proto, r.source, r.action, r.type])).toEqual([
      ['22', 'tcp', '10.20.0.5', 'ACCEPT', 'in'],
      ['3000', 'tcp', '10.20.0.20', 'ACCEPT', 'in'],
      ['9100', 'tcp', '10.20.0.32', 'ACCEPT', 'in'],
    ]);
  });
  it('opens a public port to anyone (no source)', () => {
    const vpnRules = JSON.parse(tfText(first, 'vpn')).resource.proxmox_virtual_environment_firewall_rules.vpn_firewall_rules.rule;
    expect(vpnRules.find((r: any) => r.dport === '51820')).toEqual({ type: 'in', action: 'ACCEPT', proto: 'udp', dport: '51820', comment: expect.stringContaining('public port of vpn'), });
  });
  it('is valid against the provider schema', () => {
    expect(validateArtifact('terraform-json', tfText(first, 'app'), 'terraform/cdk.tf.json', { registry })).toMatchObject({ ok: true, problems: [] });
  });
  it('is byte-identical on a second synthesis', () => {
    expect(tfText(run(), 'app')).toBe(tfText(first, 'app'));
  });
});


