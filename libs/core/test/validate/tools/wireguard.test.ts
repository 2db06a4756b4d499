import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { literalKeys } from '../../../src/validate/index.ts';
import { brief, realTool, tempRoot, toolChecks, writeDist } from './helpers.ts';

const root = tempRoot('wireguard');
const wg = realTool('wg');
const FILE = 'files/wireguard/etc/wireguard/wg0.conf';

const WITH_REFERENCES = `[Interface]
Address = 10.10.0.1/24
ListenPort = 51820
PrivateKey = {{ lookup('ansible.builtin.env', 'WG_SERVER_PRIVATE_KEY') }}

[Peer]
PublicKey = {{ lookup('ansible.builtin.env', 'WG_PEER_LAPTOP_PUBLIC_KEY') }}
AllowedIPs = 10.10.0.2/32
`;

const dist = (service: string, content: string): string =>
  writeDist(root, service, { [FILE]: content }, [{ file: FILE, format: 'wireguard', target: { host: 'wireguard', path: '/etc/wireguard/wg0.conf', mode: '0600', owner: 'root' } }]);

describe('wireguard parse', () => {
  it('passes a config whose keys are deploy-time references; wg pubkey has nothing to read and says so', async () => {
    const [parse, pubkey] = await toolChecks(root, dist('wg-refs', WITH_REFERENCES), '');
    expect(parse).toMatchObject({ check: 'wireguard parse', status: 'passed', problems: [] });
    expect(pubkey).toMatchObject({ check: 'wg pubkey', status: 'passed', problems: [], notes: ['no literal key to check: all 2 keys are deploy-time references'] });
  });

  it('fails with the parser\'s message and line', async () => {
    const [parse] = await toolChecks(root, dist('wg-bad', WITH_REFERENCES.replace('AllowedIPs = 10.10.0.2/32', 'AllowedIPs = 10.10.0.300/32')), 'wireguard parse');
    expect(brief(parse!)).toEqual(['WireguardInvalid line 8: AllowedIPs in [Peer]: "10.10.0.300/32" is not an IP address or CIDR, got "10.10.0.300/32"']);
  });

  it('literalKeys skips references and comments', () => {
    expect(literalKeys(`${WITH_REFERENCES}# PublicKey = abc\nPresharedKey = x\n`)).toEqual([{ field: 'PresharedKey', value: 'x', line: 10 }]);
  });
});

describe.skipIf(wg.skip)(`wg pubkey (real)${wg.suffix}`, () => {
  it('accepts keys made by wg genkey / wg pubkey, and rejects a key of the right shape but wrong length', async () => {
    const privateKey = execFileSync('wg', ['genkey']).toString().trim();
    const publicKey = execFileSync('wg', ['pubkey'], { input: `${privateKey}\n` }).toString().trim();
    const literal = `[Interface]\nPrivateKey = ${privateKey}\nListenPort = 51820\n\n[Peer]\nPublicKey = ${publicKey}\nAllowedIPs = 10.10.0.2/32\n`;
    const [ok] = await toolChecks(root, dist('wg-literal', literal), 'wg pubkey');
    expect(ok).toMatchObject({ status: 'passed', problems: [], notes: [] });

    const [bad] = await toolChecks(root, dist('wg-literal-bad', literal.replace(publicKey, `${publicKey.slice(0, 40)}AA==`)), 'wg pubkey');
    expect(bad!.status).toBe('failed');
    expect(brief(bad!)).toEqual(['WireguardKeyInvalid line 6: PublicKey is not a key wg accepts: wg: Key is not the correct length or format']);
    // Never echoes the key.
    expect(JSON.stringify(bad!.problems)).not.toContain(publicKey.slice(0, 40));
  });
});
