import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatProbeResult } from '../../src/smoke/probe-result.ts';
import { certificateCovers, daysUntil, nameCovered, probeTls } from '../../src/smoke/tls-probe.ts';
import { closedPort, makePki, startHttps, type Pki, type Running } from './fixtures.ts';

type Server = Running<import('node:https').Server>;
let pki: Pki;
let wildcardOnly: Server;
let wildcardAndApex: Server;
let shortLived: Server;

beforeAll(async () => {
  pki = await makePki();
  const answer = (_req: unknown, res: import('node:http').ServerResponse) => res.end('ok');
  [wildcardOnly, wildcardAndApex, shortLived] = await Promise.all([
    startHttps(pki, pki.wildcardOnly, answer),
    startHttps(pki, pki.wildcardAndApex, answer),
    startHttps(pki, pki.shortLived, answer),
  ]);
});

afterAll(async () => {
  await Promise.all([wildcardOnly?.close(), wildcardAndApex?.close(), shortLived?.close()]);
  await pki?.cleanup();
});

describe('nameCovered', () => {
  it.each([
    ['*.example.test', 'a.example.test', true],
    ['*.example.test', 'A.Example.Test.', true],
    ['*.example.test', 'example.test', false],
    ['*.example.test', 'a.b.example.test', false],
    ['*.example.test', 'a.example.testx', false],
    ['example.test', 'example.test', true],
    ['example.test', 'a.example.test', false],
    ['a*.example.test', 'ab.example.test', false],
    ['*.test', 'example.test', false],
  ])('%s covers %s: %s', (pattern, name, covered) => {
    expect(nameCovered(pattern, name)).toBe(covered);
  });

  it('uses the CN only when there are no DNS names', () => {
    expect(certificateCovers({ commonName: 'a.example.test', dnsNames: [] }, 'a.example.test')).toBe(true);
    expect(certificateCovers({ commonName: 'a.example.test', dnsNames: ['b.example.test'] }, 'a.example.test')).toBe(false);
  });

  it('counts whole days left, negative once expired', () => {
    const day = 86_400_000;
    expect(daysUntil(10 * day, 0)).toBe(10);
    expect(daysUntil(10 * day - 1, 0)).toBe(9);
    expect(daysUntil(0, 2 * day)).toBe(-2);
  });
});

describe('probeTls', () => {
  const probe = (server: Server, name: string) => ({ host: name, port: server.port, resolveTo: '127.0.0.1', ca: pki.caPem, minDays: 1 });

  it.each([
    ['a wildcard covers a subdomain', 'wildcardOnly', 'a.example.test', true],
    ['a wildcard does not cover the apex', 'wildcardOnly', 'example.test', false],
    ['the apex is covered when listed', 'wildcardAndApex', 'example.test', true],
    ['a wildcard does not cover two levels', 'wildcardAndApex', 'a.b.example.test', false],
  ] as const)('%s', async (_case, which, name, ok) => {
    const server = which === 'wildcardOnly' ? wildcardOnly : wildcardAndApex;
    const result = await probeTls(probe(server, name));
    expect(result.ok).toBe(ok);
    const names = which === 'wildcardOnly' ? '*.example.test' : '*.example.test, example.test';
    if (ok) expect(result.detail).toMatch(new RegExp(`^certificate covers ${name.replace(/\./g, '\\.')} \\(${names.replace(/[.*]/g, '\\$&')}\\), \\d+ days left$`));
    else expect(formatProbeResult(result)).toBe(`${name}:${server.port}: expected a certificate covering ${name}, got one for ${names} after 1 attempt`);
  });

  it('fails below the days threshold, naming the days left', async () => {
    const result = await probeTls({ ...probe(shortLived, 'svc.example.test'), minDays: 14 });
    expect(result.ok).toBe(false);
    // Issued with -days 3 moments ago: fewer than 3 whole days remain.
    expect(result.detail).toMatch(/^expected at least 14 days of validity for svc\.example\.test, got a certificate that has 2 days left \(notAfter \d{4}-\d\d-\d\dT[\d:.]+Z\)$/);
    expect((await probeTls({ ...probe(shortLived, 'svc.example.test'), minDays: 2 })).ok).toBe(true);
  });

  it('reports an expired certificate as expired', async () => {
    const inFiveDays = Date.now() + 5 * 86_400_000;
    const result = await probeTls({ ...probe(shortLived, 'svc.example.test'), now: inFiveDays });
    expect(result.detail).toMatch(/got a certificate that expired 2 days ago/);
  });

  it('defaults minDays to 14', async () => {
    const { minDays: _unused, ...rest } = probe(shortLived, 'svc.example.test');
    expect((await probeTls(rest)).detail).toMatch(/^expected at least 14 days/);
  });

  it('fails when the chain does not verify, unless insecure', async () => {
    const { ca: _unused, ...untrusted } = probe(wildcardAndApex, 'svc.example.test');
    const result = await probeTls(untrusted);
    expect(result.detail).toBe('expected a certificate chain that verifies for svc.example.test, got UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect((await probeTls({ ...untrusted, insecure: true })).ok).toBe(true);
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await closedPort();
    const result = await probeTls({ host: 'svc.example.test', port, resolveTo: '127.0.0.1' });
    expect(formatProbeResult(result)).toMatch(new RegExp(`^svc\\.example\\.test:${port}: expected a TLS certificate for svc\\.example\\.test, got ECONNREFUSED \\(`));
  });
});
