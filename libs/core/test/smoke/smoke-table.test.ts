import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatProbeResult } from '../../src/smoke/probe-result.ts';
import {
  runSmokeRow,
  SMOKE_SKIP_REASON,
  smokeRowTitle,
  smokeRunOptions,
  smokeSuiteTitle,
  smokeTarget,
  type SmokeRow,
} from '../../src/smoke/smoke-rows.ts';
import { describeSmoke } from '../../src/smoke/smoke-table.ts';
import { CANNED_TARGETS, closedPort, makePki, startHttp, startHttps } from './fixtures.ts';

// Servers start before the suites are collected, so that describeSmoke can be given real rows.
const pki = await makePki();
const site = await startHttps(pki, pki.wildcardAndApex, (req, res) => {
  if (req.url === '/') res.writeHead(200).end('home');
  else if (req.url === '/admin') res.writeHead(302, { location: 'https://auth.example.test/flows/-/default/authentication/' }).end();
  else res.writeHead(404).end();
});
const plain = await startHttp((req, res) => {
  if (req.url === '/api/v1/targets?state=active') res.writeHead(200).end(JSON.stringify(CANNED_TARGETS));
  else res.writeHead(301, { location: `https://${(req.headers.host ?? '').replace(/:\d+$/, '')}${req.url ?? '/'}` }).end();
});
const tcp = net.createServer((socket) => socket.destroy());
await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
const tcpPort = (tcp.address() as net.AddressInfo).port;
const refusedPort = await closedPort();

afterAll(async () => {
  await Promise.all([site.close(), plain.close(), new Promise<void>((resolve) => tcp.close(() => resolve()))]);
  await pki.cleanup();
});

const host = 'svc.example.test';
const rows: readonly SmokeRow[] = [
  { kind: 'https', url: `https://${host}:${site.port}/`, expectStatus: 200 },
  { kind: 'redirect', url: `http://${host}:${plain.port}/web/` },
  { kind: 'forward-auth', url: `https://${host}:${site.port}/admin`, authHost: 'auth.example.test' },
  { kind: 'tls', host, port: site.port, name: host, minDays: 7 },
  { kind: 'tcp', host: '127.0.0.1', port: tcpPort },
  { kind: 'prometheus-target-up', prometheusUrl: `http://127.0.0.1:${plain.port}`, job: 'node' },
];
const local = { name: 'local', resolveTo: '127.0.0.1', ca: pki.caPem };

// Registered as skipped: the title carries the reason.
describeSmoke('smoke table without a target', rows, { target: undefined });
// Registered for real against the local servers: every row must pass.
describeSmoke('smoke table', rows, { target: local, run: { attempts: 2, delayMs: 5, timeoutMs: 2_000 } });

describe('runSmokeRow', () => {
  it.each(rows.map((row) => [row.kind, row] as const))('passes a %s row against the local servers', async (_kind, row) => {
    const result = await runSmokeRow(row, { ...smokeRunOptions(local), attempts: 1 });
    expect(result).toMatchObject({ ok: true, attempts: 1 });
  });

  it('retries a failing row up to the bound and reports what came back', async () => {
    const row: SmokeRow = { kind: 'https', url: `https://${host}:${site.port}/missing` };
    const result = await runSmokeRow(row, { ...smokeRunOptions(local), attempts: 2, delayMs: 5 });
    expect(formatProbeResult(result)).toBe(`https://${host}:${site.port}/missing: expected status 200, got 404 after 2 attempts`);
  });

  it('does not send TCP rows to resolveTo', async () => {
    const result = await runSmokeRow({ kind: 'tcp', host: '127.0.0.1', port: refusedPort }, { resolveTo: '192.0.2.1', attempts: 1 });
    expect(result.detail).toMatch(/got ECONNREFUSED/);
  });

  it('titles rows', () => {
    expect(rows.map(smokeRowTitle)).toEqual([
      `https://${host}:${site.port}/ answers 200`,
      `http://${host}:${plain.port}/web/ redirects to https`,
      `https://${host}:${site.port}/admin is behind forward auth at auth.example.test`,
      `${host}:${site.port} serves a certificate for ${host} valid 7+ days`,
      `127.0.0.1:${tcpPort} accepts TCP`,
      'prometheus job "node" has every target up',
    ]);
    expect(smokeRowTitle({ kind: 'tcp', host: 'a', port: 1, title: 'dns' })).toBe('dns');
  });
});

describe('smokeTarget', () => {
  it('is undefined when HOMELAB_SMOKE_TARGET is unset or empty', () => {
    expect(smokeTarget({})).toBeUndefined();
    expect(smokeTarget({ HOMELAB_SMOKE_TARGET: ' ', HOMELAB_SMOKE_RESOLVE: '192.168.86.20' })).toBeUndefined();
  });

  it('reads the target, the resolve address and the CA file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'homelab-smoke-env-'));
    try {
      const caPath = join(dir, 'ca.pem');
      await writeFile(caPath, pki.caPem);
      const target = smokeTarget({ HOMELAB_SMOKE_TARGET: 'live', HOMELAB_SMOKE_RESOLVE: '192.168.86.20', HOMELAB_SMOKE_CA: caPath });
      expect(target).toEqual({ name: 'live', resolveTo: '192.168.86.20', caPath, ca: pki.caPem });
      expect(smokeRunOptions(target!)).toEqual({ resolveTo: '192.168.86.20', ca: pki.caPem });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    ['HOMELAB_SMOKE_RESOLVE is not an IP', { HOMELAB_SMOKE_RESOLVE: 'traefik.lan' }, /HOMELAB_SMOKE_RESOLVE: expected an IP address, got "traefik.lan"/],
    ['HOMELAB_SMOKE_CA is missing', { HOMELAB_SMOKE_CA: '/nonexistent/ca.pem' }, /HOMELAB_SMOKE_CA: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/],
  ])('throws when %s', (_case, env, message) => {
    expect(() => smokeTarget({ HOMELAB_SMOKE_TARGET: 'live', ...env })).toThrow(message);
  });

  it('titles the suite with the skip reason when there is no target', () => {
    expect(smokeSuiteTitle('arr', undefined)).toBe('arr (skipped: HOMELAB_SMOKE_TARGET is not set; smoke tests run against the live homelab)');
    expect(SMOKE_SKIP_REASON).toBe('HOMELAB_SMOKE_TARGET is not set; smoke tests run against the live homelab');
    expect(smokeSuiteTitle('arr', { name: 'live' })).toBe('arr [live]');
  });
});
