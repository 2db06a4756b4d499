import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { envRef, isCidrOrAddress, isWireguardKeyOrReference, parseWireguardConfig, wireguardConfig } from '../src/index.ts';
import { findSchemasDir } from '../src/validate/schemas-dir.ts';

const FIXTURE = join(findSchemasDir({ root: fileURLToPath(new URL('../../..', import.meta.url)) }), 'test-data/fixtures/smoke/wg0.valid.conf');
const KEY_A = 'yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=';
const KEY_B = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';

describe('wireguard: parser on the valid fixture', () => {
  it('parses the shared wg0.valid.conf with no problem', () => {
    const parsed = parseWireguardConfig(readFileSync(FIXTURE, 'utf8'));
    expect(parsed.problems).toEqual([]);
    expect(parsed.ok).toBe(true);
    expect(parsed.interface?.values.ListenPort).toEqual(['51820']);
    expect(parsed.peers).toHaveLength(1);
    expect(parsed.peers[0]!.values.AllowedIPs).toEqual(['10.8.0.2/32']);
  });
});

describe('wireguard: renderer', () => {
  const text = wireguardConfig({
    interface: { privateKey: envRef('WG_SERVER_PRIVATE_KEY'), address: ['10.10.0.1/24'], listenPort: 51820 },
    peers: [
      { name: 'laptop', publicKey: KEY_B, allowedIps: ['10.10.0.2/32'] },
      { name: 'phone', publicKey: envRef('WG_PEER_PHONE_PUBLIC_KEY'), allowedIps: ['10.10.0.3/32'], endpoint: 'wg.example.test:51820', persistentKeepalive: 25 },
    ],
  }, ['Generated.']);
  it('renders sections the parser reads back, with deploy-time key references accepted', () => {
    const parsed = parseWireguardConfig(text);
    expect(parsed.problems).toEqual([]);
    expect(parsed.interface?.values.PrivateKey).toEqual(["{{ lookup('ansible.builtin.env', 'WG_SERVER_PRIVATE_KEY') }}"]);
    expect(parsed.peers.map((p) => p.values.AllowedIPs)).toEqual([['10.10.0.2/32'], ['10.10.0.3/32']]);
    expect(text.startsWith('# Generated.\n\n[Interface]\n')).toBe(true);
  });
  it.skipIf(!hasWg())('agrees with `wg pubkey` on what a key is', () => {
    const pub = execFileSync('wg', ['pubkey'], { input: `${KEY_A}\n` }).toString().trim();
    expect(isWireguardKeyOrReference(pub)).toBe(true);
    const bad = `${KEY_A.slice(0, 42)}l=`;
    expect(isWireguardKeyOrReference(bad)).toBe(false);
    expect(() => execFileSync('wg', ['pubkey'], { input: `${bad}\n`, stdio: ['pipe', 'pipe', 'ignore'] })).toThrow();
  });
});

describe.each<[string, string, RegExp]>([
  ['no [Interface]', `[Peer]\nPublicKey = ${KEY_B}\nAllowedIPs = 10.0.0.2/32\n`, /no \[Interface\]/],
  ['unknown section', `[Interface]\nPrivateKey = ${KEY_A}\n[Server]\nFoo = 1\n`, /unknown section \[Server\]/],
  ['unknown key', `[Interface]\nPrivateKey = ${KEY_A}\nListenPorts = 51820\n`, /unknown key "ListenPorts"/],
  ['key outside a section', `PrivateKey = ${KEY_A}\n[Interface]\nPrivateKey = ${KEY_A}\n`, /outside any section/],
  ['missing PrivateKey', '[Interface]\nListenPort = 51820\n', /has no PrivateKey/],
  ['peer without PublicKey', `[Interface]\nPrivateKey = ${KEY_A}\n[Peer]\nAllowedIPs = 10.0.0.2/32\n`, /\[Peer\] has no PublicKey/],
  ['short key', '[Interface]\nPrivateKey = abc123\n', /44-character base64 key/],
  ['key with a non-zero padding bit', `[Interface]\nPrivateKey = ${KEY_A.slice(0, 42)}l=\n`, /44-character base64 key/],
  ['a key given as an env var name, not a reference', '[Interface]\nPrivateKey = WG_SERVER_PRIVATE_KEY\n', /44-character base64 key/],
  ['ListenPort out of range', `[Interface]\nPrivateKey = ${KEY_A}\nListenPort = 70000\n`, /port from 1 to 65535/],
  ['ListenPort not a number', `[Interface]\nPrivateKey = ${KEY_A}\nListenPort = wg\n`, /port from 1 to 65535/],
  ['Address not a CIDR', `[Interface]\nPrivateKey = ${KEY_A}\nAddress = 10.10.0.300/24\n`, /not an IP address or CIDR/],
  ['Address prefix too long', `[Interface]\nPrivateKey = ${KEY_A}\nAddress = 10.10.0.1/33\n`, /not an IP address or CIDR/],
  ['AllowedIPs with a bad entry', `[Interface]\nPrivateKey = ${KEY_A}\n[Peer]\nPublicKey = ${KEY_B}\nAllowedIPs = 10.10.0.0/24, nope\n`, /"nope" is not/],
  ['bad endpoint', `[Interface]\nPrivateKey = ${KEY_A}\n[Peer]\nPublicKey = ${KEY_B}\nAllowedIPs = 10.0.0.2/32\nEndpoint = wg.example.test\n`, /host:port/],
  ['duplicate ListenPort', `[Interface]\nPrivateKey = ${KEY_A}\nListenPort = 1\nListenPort = 2\n`, /given twice/],
  ['two [Interface] sections', `[Interface]\nPrivateKey = ${KEY_A}\n[Interface]\nPrivateKey = ${KEY_A}\n`, /second \[Interface\]/],
  ['the same peer twice', `[Interface]\nPrivateKey = ${KEY_A}\n[Peer]\nPublicKey = ${KEY_B}\nAllowedIPs = 10.0.0.2/32\n[Peer]\nPublicKey = ${KEY_B}\nAllowedIPs = 10.0.0.3/32\n`, /same PublicKey/],
])('wireguard parser rejects: %s', (_name, text, message) => {
  it('reports the problem with its line and never echoes a key', () => {
    const parsed = parseWireguardConfig(text);
    expect(parsed.ok).toBe(false);
    expect(parsed.problems.map((p) => p.message).join('\n')).toMatch(message);
    expect(parsed.problems.map((p) => p.message).join('\n')).not.toContain(KEY_A.slice(0, 20));
  });
});

describe('wireguard: address helpers', () => {
  it.each([['10.10.0.0/24', true], ['10.10.0.1', true], ['::/0', true], ['fd00::1/129', false], ['10.10.0.0/', false], ['host/24', false]])('isCidrOrAddress(%s) = %s', (value, ok) => {
    expect(isCidrOrAddress(value)).toBe(ok);
  });
});

function hasWg(): boolean {
  try {
    execFileSync('wg', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
