/**
 * A parser and validator for WireGuard (`wg` / `wg-quick`) configuration files. No JSON schema
 * exists upstream for this format, so this is its validator: sections, known keys, CIDRs, ports,
 * and key fields that are either a 32-byte base64 key (44 characters) or a deploy-time reference.
 * Reports every problem with its line; never throws.
 */
import { isIP } from 'node:net';

export interface WireguardProblem {
  /** 1-based line number; 0 for whole-file problems. */
  readonly line: number;
  readonly message: string;
}

export interface ParsedWireguardSection {
  readonly kind: 'Interface' | 'Peer';
  readonly line: number;
  /** Key (as written) → values in file order; keys that accumulate may appear several times. */
  readonly values: Readonly<Record<string, readonly string[]>>;
}

export interface ParsedWireguardConfig {
  readonly ok: boolean;
  readonly interface?: ParsedWireguardSection;
  readonly peers: readonly ParsedWireguardSection[];
  readonly problems: readonly WireguardProblem[];
}

const INTERFACE_KEYS = ['PrivateKey', 'ListenPort', 'FwMark', 'Address', 'DNS', 'MTU', 'Table', 'PreUp', 'PostUp', 'PreDown', 'PostDown', 'SaveConfig'];
const PEER_KEYS = ['PublicKey', 'PresharedKey', 'AllowedIPs', 'Endpoint', 'PersistentKeepalive'];
/** Keys wg-quick lets appear more than once (values accumulate). */
const REPEATABLE = new Set(['Address', 'DNS', 'AllowedIPs', 'PreUp', 'PostUp', 'PreDown', 'PostDown']);
const KEY_FIELDS = new Set(['PrivateKey', 'PublicKey', 'PresharedKey']);
/** A 32-byte key in standard base64: 43 characters and one `=` of padding. */
const BASE64_KEY = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
/** A deploy-time reference: an Ansible env lookup (or another Jinja expression) resolved by deploy. */
const DEPLOY_REFERENCE = /^\{\{\s*lookup\(\s*['"](?:ansible\.builtin\.)?env['"]\s*,\s*['"][A-Za-z_][A-Za-z0-9_]*['"]\s*\)\s*\}\}$/;

/** A WireGuard key, or a reference resolved at deploy time. */
export function isWireguardKeyOrReference(value: string): boolean {
  return BASE64_KEY.test(value) || DEPLOY_REFERENCE.test(value);
}

/** `a.b.c.d/nn`, `a.b.c.d`, or the IPv6 forms; the prefix within the family's range. */
export function isCidrOrAddress(value: string): boolean {
  const [addr, prefix, ...rest] = value.split('/');
  if (rest.length || !addr) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

function isEndpoint(value: string): boolean {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(value);
  if (!m) return false;
  const port = Number(m[3]);
  const host = m[1] ?? m[2]!;
  return port >= 1 && port <= 65535 && (m[1] === undefined ? /^[A-Za-z0-9.-]+$/.test(host) : isIP(host) === 6);
}

function list(value: string): string[] {
  return value.split(',').map((v) => v.trim()).filter((v) => v !== '');
}

function intIn(value: string, min: number, max: number): boolean {
  return /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max;
}

export function parseWireguardConfig(text: string): ParsedWireguardConfig {
  const problems: WireguardProblem[] = [];
  const sections: { kind: 'Interface' | 'Peer'; line: number; values: Record<string, string[]>; lines: Record<string, number> }[] = [];
  let current: (typeof sections)[number] | undefined;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/#.*$/, '').trim();
    if (content === '') return;
    const header = /^\[([^\]]*)\]$/.exec(content);
    if (header) {
      const name = header[1]!.trim();
      if (name !== 'Interface' && name !== 'Peer') {
        problems.push({ line, message: `unknown section [${name}]: a WireGuard file has [Interface] and [Peer] sections` });
        current = undefined;
        return;
      }
      current = { kind: name, line, values: {}, lines: {} };
      sections.push(current);
      return;
    }
    const eq = content.indexOf('=');
    if (eq <= 0) {
      problems.push({ line, message: `expected "Key = value" or a [Section] header, got "${content.slice(0, 40)}"` });
      return;
    }
    if (!current) {
      problems.push({ line, message: 'a key outside any section: start with [Interface]' });
      return;
    }
    const key = content.slice(0, eq).trim();
    const value = content.slice(eq + 1).trim();
    const allowed = current.kind === 'Interface' ? INTERFACE_KEYS : PEER_KEYS;
    if (!allowed.includes(key)) {
      problems.push({ line, message: `unknown key "${key}" in [${current.kind}]; known keys: ${allowed.join(', ')}` });
      return;
    }
    if (current.values[key] && !REPEATABLE.has(key)) {
      problems.push({ line, message: `"${key}" is given twice in [${current.kind}] (first on line ${current.lines[key]})` });
      return;
    }
    current.values[key] = [...(current.values[key] ?? []), value];
    current.lines[key] ??= line;
    checkValue(current.kind, key, value, line, problems);
  });

  const interfaces = sections.filter((s) => s.kind === 'Interface');
  const peers = sections.filter((s) => s.kind === 'Peer');
  if (interfaces.length === 0) problems.push({ line: 0, message: 'no [Interface] section' });
  for (const extra of interfaces.slice(1)) problems.push({ line: extra.line, message: `a second [Interface] section (the first is on line ${interfaces[0]!.line})` });
  const iface = interfaces[0];
  if (iface && !iface.values.PrivateKey) problems.push({ line: iface.line, message: '[Interface] has no PrivateKey' });
  const publicKeys = new Map<string, number>();
  for (const peer of peers) {
    if (!peer.values.PublicKey) {
      problems.push({ line: peer.line, message: '[Peer] has no PublicKey' });
    } else {
      const key = peer.values.PublicKey[0]!;
      const prior = publicKeys.get(key);
      if (prior !== undefined) problems.push({ line: peer.lines.PublicKey!, message: `the same PublicKey is already the peer on line ${prior}` });
      else publicKeys.set(key, peer.line);
    }
  }
  problems.sort((a, b) => a.line - b.line);
  const strip = (s: (typeof sections)[number]): ParsedWireguardSection => ({ kind: s.kind, line: s.line, values: s.values });
  return { ok: problems.length === 0, interface: iface && strip(iface), peers: peers.map(strip), problems };
}

function checkValue(kind: string, key: string, value: string, line: number, problems: WireguardProblem[]): void {
  const bad = (what: string) => problems.push({ line, message: `${key} in [${kind}]: ${what}, got "${KEY_FIELDS.has(key) ? mask(value) : value}"` });
  if (KEY_FIELDS.has(key)) {
    if (!isWireguardKeyOrReference(value)) bad('expected a 44-character base64 key or a deploy-time reference {{ lookup(\'ansible.builtin.env\', \'NAME\') }}');
    return;
  }
  switch (key) {
    case 'ListenPort':
      if (!intIn(value, 1, 65535)) bad('expected a port from 1 to 65535');
      break;
    case 'PersistentKeepalive':
      if (value !== 'off' && !intIn(value, 0, 65535)) bad('expected seconds from 0 to 65535 or "off"');
      break;
    case 'MTU':
      if (!intIn(value, 576, 65535)) bad('expected an MTU from 576 to 65535');
      break;
    case 'Address':
    case 'AllowedIPs': {
      const items = list(value);
      if (items.length === 0) bad('expected one or more CIDRs');
      for (const item of items) if (!isCidrOrAddress(item)) bad(`"${item}" is not an IP address or CIDR`);
      break;
    }
    case 'DNS':
      for (const item of list(value)) if (isIP(item) === 0 && !/^[A-Za-z0-9.-]+$/.test(item)) bad(`"${item}" is neither an address nor a search domain`);
      break;
    case 'Endpoint':
      if (!isEndpoint(value)) bad('expected host:port or [ipv6]:port');
      break;
    default:
      break;
  }
}

/** Never echo something that may be a private key. */
function mask(value: string): string {
  return value.length <= 4 ? '****' : `${value.slice(0, 2)}…(${value.length} chars)`;
}
