import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkRenderedFiles, parseWireguardConfig, type ConfigFile } from '@homelab/core';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';

const w = await synthesizeFor(fixtureSite, 'wireguard');
const { home } = w.synthesis;
const here = placementOf(fixtureSite, 'wireguard');
const vpn = fixtureSite.wireguard!;
const manifest = w.json('manifest.json');
const target = (host: string, path: string) => manifest.artifacts.find((a: any) => a.target?.host === host && a.target?.path === path);

describe('wireguard: infrastructure', () => {
  const ct = w.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.wireguard;
  it('is its address-plan LXC with CPU weight 512 (minimal), group security', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 512 } });
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
    expect(home.byName.get('wireguard')!.group).toBe('security');
  });
  it('declares the site\'s WireGuard UDP port public, matching the router\'s only UDP forward', () => {
    expect(home.byName.get('wireguard')!.ports).toEqual([expect.objectContaining({ port: vpn.port, protocol: 'udp', public: true })]);
    expect(fixtureSite.portForwards.filter((f) => f.protocol === 'udp')).toEqual([{ port: vpn.port, protocol: 'udp', service: 'wireguard' }]);
  });
});

describe('wireguard: server wg0.conf', () => {
  const text = w.text('files/wireguard/etc/wireguard/wg0.conf');
  const parsed = parseWireguardConfig(text);
  it('parses with no problem', () => {
    expect(parsed.problems).toEqual([]);
  });
  // The fixture's tunnel subnet is 10.77.0.0/24: the server takes its first address, the peers the next.
  it('listens on the site\'s port at the first address of the tunnel subnet with its private key by reference', () => {
    expect(vpn.subnet).toBe('10.77.0.0/24');
    expect(parsed.interface!.values).toMatchObject({ ListenPort: [String(vpn.port)], Address: ['10.77.0.1/24'], PrivateKey: ["{{ lookup('ansible.builtin.env', 'WG_SERVER_PRIVATE_KEY') }}"] });
  });
  it('routes to each peer only its own /32 inside the tunnel subnet', () => {
    expect(parsed.peers.map((p) => p.values.AllowedIPs)).toEqual([['10.77.0.2/32'], ['10.77.0.3/32']]);
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
    expect(parsed.peers[0]!.values.AllowedIPs).toEqual([vpn.subnet]);
    expect(parsed.peers[0]!.values.Endpoint).toEqual([`${vpn.endpointHost}:${vpn.port}`]);
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
    expect(home.byName.get('wireguard')!.facts.wireguard).toEqual({
      subnet: vpn.subnet, serverAddress: '10.77.0.1',
      peers: [{ name: 'laptop', address: '10.77.0.2', allowedIps: [vpn.subnet] }, { name: 'phone', address: '10.77.0.3', allowedIps: [vpn.subnet] }],
    });
  });
});

const mine = w.synthesis.results.find((r) => r.service === 'wireguard')!.configFiles;

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

describe('wireguard: preshared keys on every pair', () => {
  const server = w.text('files/wireguard/etc/wireguard/wg0.conf');
  const psk = (peer: string) => `{{ lookup('ansible.builtin.env', 'WG_PEER_${peer.toUpperCase()}_PRESHARED_KEY') }}`;
  it('every [Peer] of the server and of each client has a PresharedKey, by reference, the same on both ends', () => {
    expect(parseWireguardConfig(server).peers.map((p) => p.values.PresharedKey)).toEqual([[psk('laptop')], [psk('phone')]]);
    for (const peer of ['laptop', 'phone']) {
      expect(parseWireguardConfig(w.text(`files/localhost/etc/wireguard/clients/${peer}.conf`)).peers.map((p) => p.values.PresharedKey)).toEqual([[psk(peer)]]);
    }
  });
  it('declares each preshared key among the secrets, so deploy refuses to run without it', () => {
    for (const env of ['WG_PEER_LAPTOP_PRESHARED_KEY', 'WG_PEER_PHONE_PRESHARED_KEY']) {
      expect(home.byName.get('wireguard')!.secrets.map((x) => x.env)).toContain(env);
      expect(manifest.env).toContain(env);
    }
  });
  it('would report a peer whose preshared key was dropped', () => {
    const dropped = mine.map((f) => (f.path.endsWith('/phone.conf') ? { ...f, content: f.content.replace(/^PresharedKey = .*\n/m, '') } : f));
    const problems = checkRenderedFiles(home, new Map([['wireguard', dropped]])).filter((p) => p.code === 'PeerWithoutPresharedKey');
    expect(problems.map((p) => [p.source, p.path.replace(/:\d+$/, '')])).toEqual([['packages/wireguard', 'files[/etc/wireguard/clients/phone.conf]']]);
  });
  it.skipIf(!hasWg())('with real keys in place of the references, wg-quick strip keeps each PresharedKey and wg accepts it as a key', () => {
    const key = (cmd: 'genkey' | 'genpsk') => execFileSync('wg', [cmd]).toString().trim();
    const values = new Map<string, string>();
    const filled = server.replace(/\{\{ lookup\('ansible\.builtin\.env', '([A-Z_]+)'\) \}\}/g, (_m, name: string) => {
      if (!values.has(name)) values.set(name, name.endsWith('_PRESHARED_KEY') ? key('genpsk') : name.endsWith('_PUBLIC_KEY') ? execFileSync('wg', ['pubkey'], { input: `${key('genkey')}\n` }).toString().trim() : key('genkey'));
      return values.get(name)!;
    });
    const dir = mkdtempSync(join(tmpdir(), 'wg-psk-'));
    try {
      const file = join(dir, 'wg0.conf');
      writeFileSync(file, filled);
      chmodSync(file, 0o600);
      const stripped = execFileSync('wg-quick', ['strip', file]).toString();
      const psks = [...stripped.matchAll(/^PresharedKey = (.+)$/gm)].map((m) => m[1]!);
      expect(psks).toEqual([values.get('WG_PEER_LAPTOP_PRESHARED_KEY'), values.get('WG_PEER_PHONE_PRESHARED_KEY')]);
      // wg reads any 32-byte base64 key; pubkey fails on anything else.
      for (const k of psks) expect(execFileSync('wg', ['pubkey'], { input: `${k}\n` }).toString().trim()).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function hasWg(): boolean {
  try {
    execFileSync('wg-quick', ['--help'], { stdio: 'ignore' });
  } catch (error) {
    // wg-quick prints its usage and exits 0 on --help; a missing binary throws ENOENT.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
  }
  try {
    execFileSync('wg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
