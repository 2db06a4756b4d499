import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, formatIpv4, parseCidr, parseIpv4, rangeContains } from '../src/net/ipv4.ts';

describe('ipv4', () => {
  it('parses and formats addresses', () => {
    expect(formatIpv4(parseIpv4('192.168.86.20')!)).toBe('192.168.86.20');
    expect(parseIpv4('192.168.86.256')).toBeUndefined();
    expect(parseIpv4('10.0.0')).toBeUndefined();
  });
  it('rejects a CIDR whose host bits are set', () => {
    expect(parseCidr('10.10.0.0/24')).toBeDefined();
    expect(parseCidr('10.10.0.1/24')).toBeUndefined();
  });
  it('answers containment and overlap', () => {
    const lan = parseCidr('192.168.86.0/24')!;
    expect(cidrContains(lan, parseIpv4('192.168.86.200')!)).toBe(true);
    expect(cidrContains(lan, parseIpv4('192.168.87.1')!)).toBe(false);
    expect(cidrsOverlap(lan, parseCidr('10.10.0.0/24')!)).toBe(false);
    expect(cidrsOverlap(lan, parseCidr('192.168.0.0/16')!)).toBe(true);
    expect(rangeContains({ start: '192.168.86.150', end: '192.168.86.199' }, parseIpv4('192.168.86.199')!)).toBe(true);
    expect(rangeContains({ start: '192.168.86.150', end: '192.168.86.199' }, parseIpv4('192.168.86.200')!)).toBe(false);
  });
});
