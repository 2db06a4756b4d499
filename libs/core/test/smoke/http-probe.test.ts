import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeForwardAuth } from '../../src/smoke/forward-auth-probe.ts';
import { probeHttps } from '../../src/smoke/http-probe.ts';
import { formatProbeResult } from '../../src/smoke/probe-result.ts';
import { probeRedirect } from '../../src/smoke/redirect-probe.ts';
import { retry } from '../../src/smoke/retry.ts';
import { closedPort, makePki, startHttp, startHttps, type Pki, type Running } from './fixtures.ts';

let pki: Pki;
let site: Running<import('node:https').Server>;
let plain: Running<import('node:http').Server>;
/** What the HTTPS server saw, per path. */
const seen = new Map<string, { host: string | undefined; sni: string | false | null; count: number }>();

beforeAll(async () => {
  pki = await makePki();
  site = await startHttps(pki, pki.wildcardAndApex, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://placeholder');
    const previous = seen.get(url.pathname);
    const count = (previous?.count ?? 0) + 1;
    seen.set(url.pathname, { host: req.headers.host, sni: (req.socket as TLSSocket).servername, count });
    switch (url.pathname) {
      case '/ok':
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'x-served-by': 'sonarr' }).end('<title>Sonarr</title>');
        return;
      case '/status/502':
        res.writeHead(502).end('bad gateway');
        return;
      case '/status/401':
        res.writeHead(401).end();
        return;
      case '/flaky':
        res.writeHead(count <= 2 ? 502 : 200).end();
        return;
      case '/protected':
        res.writeHead(302, { location: 'https://auth.example.test/application/o/authorize/?client_id=x' }).end();
        return;
      case '/protected-outpost':
        res.writeHead(302, { location: '/outpost.goauthentik.io/start?rd=%2F' }).end();
        return;
      case '/unprotected':
        res.writeHead(200).end('backend');
        return;
      case '/elsewhere':
        res.writeHead(302, { location: 'https://login.other.test/' }).end();
        return;
      case '/hang':
        return; // never answers
      default:
        res.writeHead(404).end();
    }
  });
  plain = await startHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (url.pathname === '/to-other-host') res.writeHead(301, { location: `https://other.example.test${url.pathname}` }).end();
    else if (url.pathname === '/to-http') res.writeHead(301, { location: `http://${host}${url.pathname}` }).end();
    else if (url.pathname === '/no-redirect') res.writeHead(200).end('plain');
    else res.writeHead(308, { location: `https://${host}${url.pathname}${url.search}` }).end();
  });
});

afterAll(async () => {
  await Promise.all([site?.close(), plain?.close()]);
  await pki?.cleanup();
});

/** `https://<host>:<port><path>`, reached through 127.0.0.1 and trusting the test CA. */
function at(path: string, host = 'svc.example.test') {
  return { url: `https://${host}:${site.port}${path}`, resolveTo: '127.0.0.1', ca: pki.caPem };
}

describe('probeHttps', () => {
  it('passes on the expected status', async () => {
    const result = await probeHttps({ ...at('/ok') });
    expect(result).toEqual({ ok: true, target: `https://svc.example.test:${site.port}/ok`, detail: 'status 200', attempts: 1 });
  });

  it('fails on another status, naming the URL and the status', async () => {
    const result = await probeHttps({ ...at('/status/502'), expectStatus: 200 });
    expect(result.ok).toBe(false);
    expect(formatProbeResult(result)).toBe(`https://svc.example.test:${site.port}/status/502: expected status 200, got 502 after 1 attempt`);
  });

  it('accepts any status of a set', async () => {
    expect((await probeHttps({ ...at('/status/401'), expectStatus: [200, 401] })).ok).toBe(true);
    const miss = await probeHttps({ ...at('/status/502'), expectStatus: [200, 301, 401] });
    expect(miss.detail).toBe('expected status 200, 301 or 401, got 502');
  });

  it('checks a header and a body substring', async () => {
    const pass = await probeHttps({ ...at('/ok'), expectHeaders: { 'Content-Type': 'text/html', 'x-served-by': 'sonarr' }, expectBody: 'Sonarr' });
    expect(pass.ok).toBe(true);
    const badHeader = await probeHttps({ ...at('/ok'), expectHeaders: { 'x-served-by': 'radarr' } });
    expect(badHeader.detail).toBe('expected header x-served-by containing "radarr", got "sonarr"');
    const noHeader = await probeHttps({ ...at('/ok'), expectHeaders: { 'x-missing': 'a' } });
    expect(noHeader.detail).toBe('expected header x-missing containing "a", got status 200 without that header');
    const badBody = await probeHttps({ ...at('/ok'), expectBody: 'Radarr' });
    expect(badBody.detail).toBe('expected the body to contain "Radarr", got status 200 and 21 bytes without it');
  });

  it('fails with the certificate error code when the CA is not trusted, and passes when insecure', async () => {
    const { url, resolveTo } = at('/ok');
    const untrusted = await probeHttps({ url, resolveTo });
    expect(untrusted.ok).toBe(false);
    expect(untrusted.detail).toMatch(/^expected status 200, got UNABLE_TO_VERIFY_LEAF_SIGNATURE \(/);
    expect((await probeHttps({ url, resolveTo, insecure: true })).ok).toBe(true);
  });

  it('fails with ECONNREFUSED when nothing listens', async () => {
    const port = await closedPort();
    const result = await probeHttps({ url: `https://svc.example.test:${port}/`, resolveTo: '127.0.0.1' });
    expect(formatProbeResult(result)).toMatch(
      new RegExp(`^https://svc\\.example\\.test:${port}/: expected status 200, got ECONNREFUSED \\(.*\\) after 1 attempt$`),
    );
  });

  it('fails with ETIMEDOUT when the server does not answer in time', async () => {
    const result = await probeHttps({ ...at('/hang'), timeoutMs: 150 });
    expect(result.detail).toBe('expected status 200, got ETIMEDOUT (no answer within 150 ms)');
  });

  it('resolveTo connects to the address while sending the URL host as Host and SNI', async () => {
    const result = await probeHttps({ ...at('/ok', 'svc.example.test') });
    expect(result.ok).toBe(true);
    expect(seen.get('/ok')).toMatchObject({ host: `svc.example.test:${site.port}`, sni: 'svc.example.test' });
    await probeHttps({ ...at('/ok', 'other.example.test') });
    expect(seen.get('/ok')).toMatchObject({ host: `other.example.test:${site.port}`, sni: 'other.example.test' });
  });

  it('rejects a URL that does not parse, at once', async () => {
    await expect(probeHttps({ url: 'sonarr.example.test' })).rejects.toThrow(/probeHttps: url "sonarr.example.test" is not a valid URL/);
  });
});

describe('retry around probeHttps', () => {
  it('passes on the third attempt when the server fails twice first', async () => {
    const result = await retry(() => probeHttps({ ...at('/flaky') }), { attempts: 5, delayMs: 5 });
    expect(result).toMatchObject({ ok: true, attempts: 3 });
    expect(seen.get('/flaky')?.count).toBe(3);
  });

  it('gives up after the bound, saying how many attempts were made', async () => {
    const before = seen.get('/status/502')?.count ?? 0;
    const result = await retry(() => probeHttps({ ...at('/status/502') }), { attempts: 3, delayMs: 5 });
    expect(formatProbeResult(result)).toBe(`https://svc.example.test:${site.port}/status/502: expected status 200, got 502 after 3 attempts`);
    expect((seen.get('/status/502')?.count ?? 0) - before).toBe(3);
  });
});

describe('probeRedirect', () => {
  const http = (path: string) => ({ url: `http://svc.example.test:${plain.port}${path}`, resolveTo: '127.0.0.1' });

  it('passes when http:// redirects to the https:// form of the same host and path', async () => {
    const result = await probeRedirect(http('/web/index.html?tab=1'));
    expect(result).toMatchObject({ ok: true, detail: '308 to https://svc.example.test/web/index.html?tab=1' });
  });

  it.each([
    ['another host', '/to-other-host', '301 to https://other.example.test/to-other-host'],
    ['plain http', '/to-http', '301 to http://svc.example.test/to-http'],
    ['no redirect', '/no-redirect', '200'],
  ])('fails on a redirect to the wrong place: %s', async (_case, path, got) => {
    const result = await probeRedirect(http(path));
    expect(result.ok).toBe(false);
    expect(formatProbeResult(result)).toBe(
      `http://svc.example.test:${plain.port}${path}: expected a redirect (301, 302, 307 or 308) to https://svc.example.test${path}, got ${got} after 1 attempt`,
    );
  });

  it('rejects an https:// URL, at once', async () => {
    await expect(probeRedirect({ url: 'https://svc.example.test/' })).rejects.toThrow(/must use http:\/\//);
  });
});

describe('probeForwardAuth', () => {
  it.each([
    ['to the auth host', '/protected', '302 to https://auth.example.test/application/o/authorize/?client_id=x'],
    ['to the outpost path', '/protected-outpost', `302 to https://svc.example.test:PORT/outpost.goauthentik.io/start?rd=%2F`],
  ])('passes on a redirect %s', async (_case, path, detail) => {
    const result = await probeForwardAuth({ ...at(path), authHost: 'auth.example.test' });
    expect(result).toMatchObject({ ok: true, detail: detail.replace('PORT', String(site.port)) });
  });

  it('fails when the backend answers 200', async () => {
    const result = await probeForwardAuth({ ...at('/unprotected'), authHost: 'auth.example.test' });
    expect(formatProbeResult(result)).toBe(
      `https://svc.example.test:${site.port}/unprotected: expected a redirect (302, 303 or 307) to https://auth.example.test/ (forward auth), got 200 from the backend (not protected) after 1 attempt`,
    );
  });

  it('fails on a redirect to another host', async () => {
    const result = await probeForwardAuth({ ...at('/elsewhere'), authHost: 'https://auth.example.test/' });
    expect(result).toMatchObject({ ok: false });
    expect(result.detail).toMatch(/got 302 to https:\/\/login\.other\.test\/$/);
  });
});
