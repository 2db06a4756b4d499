/** IPv4 arithmetic on 32-bit unsigned integers. Site-agnostic. */

export function parseIpv4(text: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  if (octets.some((o) => o > 255)) return undefined;
  return ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

export interface Cidr {
  readonly network: number;
  readonly prefix: number;
  readonly text: string;
}

export function parseCidr(text: string): Cidr | undefined {
  const [addr, bits, ...rest] = text.split('/');
  if (rest.length || addr === undefined || bits === undefined || !/^\d{1,2}$/.test(bits)) return undefined;
  const ip = parseIpv4(addr);
  const prefix = Number(bits);
  if (ip === undefined || prefix > 32) return undefined;
  const network = (ip & maskOf(prefix)) >>> 0;
  if (network !== ip) return undefined;
  return { network, prefix, text };
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function cidrContains(cidr: Cidr, ip: number): boolean {
  return ((ip & maskOf(cidr.prefix)) >>> 0) === cidr.network;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  const prefix = Math.min(a.prefix, b.prefix);
  return ((a.network & maskOf(prefix)) >>> 0) === ((b.network & maskOf(prefix)) >>> 0);
}

export function broadcastOf(cidr: Cidr): number {
  return (cidr.network | (~maskOf(cidr.prefix) >>> 0)) >>> 0;
}

export interface Ipv4Range {
  readonly start: string;
  readonly end: string;
}

export function rangeContains(range: Ipv4Range, ip: number): boolean {
  const start = parseIpv4(range.start);
  const end = parseIpv4(range.end);
  return start !== undefined && end !== undefined && ip >= start && ip <= end;
}
