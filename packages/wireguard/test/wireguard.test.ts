import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkRenderedFiles, parseWireguardConfig, type ConfigFile } from '@homelab/core';
import { synthesized, synthesizeThisSite } from '@homelab/site/testing';

const w = await synthesized('wireguard');
const { home } = await synthesizeThisSite();
const manifest = w.json('manifest.json');
const target = (host: string, path: string) => manifest.artifacts.find((a: any) => a.target?.host === host && a.target?.path === path);

describe('wireguard: infrastructure', () => {
  const ct = w.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.wireguard;
  it('is LXC 208 at .39 on pve1 with CPU weight 512 (minimal), group security', () => {
    expect(ct).toMatchObject({ vm_id: 208, node_name: 'pve1', cpu: { units: 512 } });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe('192.168.86.39/24');
    expect(home.byName.get('wireguard')!.group).toBe('security');
  });
  it('declares UDP 51820 public, matching the router\'s only UDP forward', () => {
    expect(home.byName.get('wireguard')!.ports).toEqual([expect.objectContaining({ port: 51820, protocol: 'udp', public: true })]);
    expect(home.site.portForwards).toContainEqual({ port: 51820, protocol: 'udp', service: 'wireguard' });
  });
});

describe('wireguard: server wg0.conf', () => {
  const text = w.text('files/wireguard/etc/wireguard/wg0.conf');
  const parsed = parseWireguardConfig(text);
  it('parses with no problem', () => {
    expect(parsed.problems).toEqual([]);
  });
  it('listens on 51820 at 10.10.0.1/24 with its private key by reference', () => {
    expect(parsed.interface!.values).toMatchObject({ ListenPort: ['51820'], Address: ['10.10.0.1/24'], PrivateKey: ["{{ lookup('ansible.builtin.env', 'WG_SERVER_PRIVATE_KEY') }}"] });
  });
  it('routes to each peer only its own /32 inside the tunnel subnet', () => {
    expect(parsed.peers.map((p) => p.values.AllowedIPs)).toEqual([['10.10.0.2/32'], ['10.10.0.3/32']]);
  });
  it('is 0600 and restarts wg-quick@wg0 when it changes', () => {
    expect(target('wireguard', '/etc/wireguard/wg0.conf').target.mode).toBe('0600');
    const play = (parse(w.text('ansible/playbook.yml')) as any[]).find((p) => p.hosts === 'wireguard');
    expect(play.tasks.find((t: any) => t.name === 'Install /etc/wireguard/wg0.conf').notify).toEqual(['Restart wg-quick@wg0.service']);
    expect(play.tasks.map((t: any) => t.name)).toContain('Enable and start wg-quick@wg0.service');
  });
});

describe('wireguard: client configs (split tunnel)', () => {
  it.each(['laptop', 'phone'])('%s routes exactly the tunnel subnet and nothing else', (peer) => {
    const parsed = parseWireguardConfig(w.text(`files/localhost/etc/wireguard/clients/${peer}.conf`));
    expect(parsed.problems).toEqual([]);
    expect(parsed.peers).toHaveLength(1);
    expect(parsed.peers[0]!.values.AllowedIPs).toEqual([home.site.wireguard.subnet]);
    expect(parsed.peers[0]!.values.Endpoint).toEqual(['wg.woodhead.tech:51820']);
    expect(parsed.interface!.values.PrivateKey![0]).toMatch(/^\{\{ lookup\('ansible\.builtin\.env', 'WG_PEER_[A-Z]+_PRIVATE_KEY'\) \}\}$/);
  });
  it('are delivered 0600 to the deploy machine (local connection), never to the server', () => {
    for (const peer of ['laptop', 'phone']) {
      expect(target('localhost', `/etc/wireguard/clients/${peer}.conf`).target.mode).toBe('0600');
      expect(target('wireguard', `/etc/wireguard/clients/${peer}.conf`)).toBeUndefined();
    }
    expect(parse(w.text('ansible/inventory.yml')).all.hosts.localhost).toEqual({ ansible_connection: 'local', ansible_python_interpreter: '{{ ansible_playbook_python }}' });
  });
  it('exposes the split-tunnel facts for policy rules', () => {
    expect(home.byName.get('wireguard')!.extra.wireguard).toEqual({
      subnet: '10.10.0.0/24', serverAddress: '10.10.0.1',
      peers: [{ name: 'laptop', address: '10.10.0.2', allowedIps: ['10.10.0.0/24'] }, { name: 'phone', address: '10.10.0.3', allowedIps: ['10.10.0.0/24'] }],
    });
  });
  it('has no problem in the whole-site synthesis', async () => {
    const s = await synthesizeThisSite();
    expect(s.problems.filter((x) => x.source === 'packages/wireguard' || x.code === 'PortForwardWithoutService')).toEqual([]);
  });
});

const mine = (await synthesizeThisSite()).results.find((r) => r.service === 'wireguard')!.configFiles;

describe('wireguard: the split-tunnel policy rule reads these files', () => {
  const fullTunnel = (files: readonly ConfigFile[]) => files.map((f) => (f.path.endsWith('/laptop.conf') ? { ...f, content: f.content.replace(/^AllowedIPs = .*$/m, 'AllowedIPs = 0.0.0.0/0, ::/0') } : f));
  it('finds nothing wrong with the rendered configs', () => {
    expect(checkRenderedFiles(home, new Map([['wireguard', mine]])).filter((p) => p.source === 'packages/wireguard')).toEqual([]);
  });
  it('would report a client config that routes everything through the tunnel', () => {
    const problems = checkRenderedFiles(home, new Map([['wireguard', fullTunnel(mine)]]));
    expect(problems.map((p) => [p.code, p.path.replace(/:\d+$/, '')])).toEqual([['FullTunnelClient', 'files[/etc/wireguard/clients/laptop.conf]']]);
  });
});
