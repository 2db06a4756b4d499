import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkRenderedFiles, type ConfigFile } from '@homelab/core';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';

const t = await synthesizeFor(fixtureSite, 'traefik');
const here = placementOf(fixtureSite, 'traefik');
const domain = fixtureSite.domain;

describe('traefik: infrastructure', () => {
  const ct = t.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.traefik;
  it('is its address-plan LXC with CPU weight 2048 (critical)', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 2048 }, unprivileged: true, start_on_boot: true });
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
  });
  it('runs Docker, so nesting is on in Terraform and keyctl is on from the root step on its node', () => {
    expect(ct.features).toEqual({ nesting: true });
    expect(ct.lifecycle.ignore_changes).toContain('features');
    expect(t.rootSettings(here.vmid!)).toEqual({ features: 'keyctl=1,nesting=1' });
    expect([...t.files.keys()]).toContain(`files/${here.node}/usr/local/lib/homelab/guests/${here.vmid}-traefik.sh`);
  });
  it('is the first wave: it boots first', () => {
    expect(ct.startup.order).toBe(1);
  });
});

describe('traefik: static configuration', () => {
  const cfg = parse(t.text('files/traefik/etc/traefik/traefik.yml'));
  it('redirects web to websecure over https', () => {
    expect(cfg.entryPoints.web.http.redirections.entryPoint).toEqual({ to: 'websecure', scheme: 'https', permanent: true });
  });
  it('gets the wildcard and the apex from the Cloudflare DNS-01 resolver', () => {
    expect(cfg.entryPoints.websecure.http.tls).toEqual({ certResolver: 'cloudflare', domains: [{ main: domain, sans: [`*.${domain}`] }] });
    expect(cfg.certificatesResolvers.cloudflare.acme.dnsChallenge.provider).toBe('cloudflare');
    expect(cfg.certificatesResolvers.cloudflare.acme.storage).toBe('/etc/traefik/acme.json');
  });
  it('watches the dynamic directory, serves the dashboard, metrics and an access log', () => {
    expect(cfg.providers.file).toEqual({ directory: '/etc/traefik/dynamic', watch: true });
    expect(cfg.api).toEqual({ dashboard: true, insecure: false });
    expect(cfg.metrics.prometheus.entryPoint).toBe('metrics');
    expect(cfg.accessLog.filePath).toBe('/var/log/traefik/access.log');
  });
});

describe('traefik: HSTS, security headers and the TLS floor on every HTTPS router', () => {
  const staticText = t.text('files/traefik/etc/traefik/traefik.yml');
  const headersText = t.text('files/traefik/etc/traefik/dynamic/middleware-security-headers.yml');
  const headers = parse(headersText);
  it('the secure entrypoint runs security-headers@file, so every router on it does', () => {
    expect(parse(staticText).entryPoints.websecure.http.middlewares).toEqual(['security-headers@file']);
  });
  it('sends HSTS for a year with subdomains and no preload (this site does not preload), nosniff, SAMEORIGIN framing and a referrer policy', () => {
    expect(headers.http.middlewares['security-headers'].headers).toEqual({
      stsSeconds: 31536000, stsIncludeSubdomains: true, stsPreload: false, contentTypeNosniff: true,
      customFrameOptionsValue: 'SAMEORIGIN', contentSecurityPolicy: "frame-ancestors 'self'", referrerPolicy: 'strict-origin-when-cross-origin',
    });
  });
  it('the default TLS options require TLS 1.2 and strict SNI', () => {
    expect(headers.tls.options.default).toEqual({ minVersion: 'VersionTLS12', sniStrict: true });
  });
  it('both files are valid against the upstream Traefik schemas', () => {
    expect(validateArtifact('traefik-static', staticText, 'traefik.yml').problems).toEqual([]);
    expect(validateArtifact('traefik-dynamic', headersText, 'middleware-security-headers.yml').problems).toEqual([]);
  });
});

describe('traefik: files and secrets', () => {
  const manifest = t.json('manifest.json');
  const target = (path: string) => manifest.artifacts.find((a: any) => a.target?.path === path)?.target;
  it('acme.json is 0600, created once and never overwritten', () => {
    expect(target('/etc/traefik/acme.json')).toMatchObject({ host: 'traefik', mode: '0600' });
    const plays = parse(t.text('ansible/playbook.yml')) as { hosts: string; tasks: Record<string, any>[] }[];
    const task = plays.find((p) => p.hosts === 'traefik')!.tasks.find((k) => k.name === 'Install /etc/traefik/acme.json')!;
    expect(task['ansible.builtin.template']).toMatchObject({ dest: '/etc/traefik/acme.json', mode: '0600', force: false });
  });
  it('the Cloudflare token is referenced by name in a 0600 env file, never written', () => {
    expect(target('/opt/stacks/traefik/.env')?.mode).toBe('0600');
    expect(t.text('files/traefik/opt/stacks/traefik/.env')).toContain("CF_DNS_API_TOKEN={{ lookup('ansible.builtin.env', 'CF_DNS_API_TOKEN') }}");
    expect(manifest.env).toContain('CF_DNS_API_TOKEN');
  });
  it('defines the authentik forwardAuth middleware pointing at Authentik\'s address', () => {
    const mw = parse(t.text('files/traefik/etc/traefik/dynamic/middleware-forward-auth.yml'));
    expect(mw.http.middlewares.authentik.forwardAuth.address).toBe(`http://${placementOf(fixtureSite, 'authentik').ip}:9000/outpost.goauthentik.io/auth/traefik`);
  });
  it('puts its dashboard behind Authentik', () => {
    const routes = parse(t.text('files/traefik/etc/traefik/dynamic/traefik.yml'));
    expect(routes.http.routers['traefik-dashboard']).toMatchObject({ rule: `Host(\`traefik.${domain}\`)`, service: 'api@internal', middlewares: ['authentik@file'], entryPoints: ['websecure'] });
  });
});

const site = t.synthesis;

describe('traefik: the https-only and forward-auth policy rules read these files', () => {
  const mine = site.results.find((r) => r.service === 'traefik')!.configFiles;
  const check = (files: readonly ConfigFile[]) => checkRenderedFiles(site.home, new Map([['traefik', files]])).filter((p) => p.source === 'packages/traefik');
  const edit = (path: string, change: (doc: any) => void) => mine.map((f) => {
    if (f.path !== path) return f;
    const doc = parse(f.content);
    change(doc);
    return { ...f, content: JSON.stringify(doc) };
  });
  it('finds nothing wrong with the static configuration, the dashboard router or the middleware', () => {
    expect(check(mine)).toEqual([]);
  });
  it.each<[string, string, (doc: any) => void, string, string]>([
    ['web serving plain HTTP', '/etc/traefik/traefik.yml', (d) => { delete d.entryPoints.web.http; }, 'MissingHttpsRedirect', 'files[/etc/traefik/traefik.yml].entryPoints.web.http.redirections.entryPoint'],
    ['the insecure API', '/etc/traefik/traefik.yml', (d) => { d.api.insecure = true; }, 'InsecureDashboard', 'files[/etc/traefik/traefik.yml].api.insecure'],
    ['the dashboard without Authentik', '/etc/traefik/dynamic/traefik.yml', (d) => { delete d.http.routers['traefik-dashboard'].middlewares; }, 'ForwardAuthMissing', 'files[/etc/traefik/dynamic/traefik.yml].http.routers.traefik-dashboard.middlewares'],
    ['the dashboard on the web entrypoint', '/etc/traefik/dynamic/traefik.yml', (d) => { d.http.routers['traefik-dashboard'].entryPoints = ['web']; }, 'PlainHttpRouter', 'files[/etc/traefik/dynamic/traefik.yml].http.routers.traefik-dashboard.entryPoints'],
    ['forwardAuth aimed elsewhere', '/etc/traefik/dynamic/middleware-forward-auth.yml', (d) => { d.http.middlewares.authentik.forwardAuth.address = 'http://10.20.30.99:9000/outpost.goauthentik.io/auth/traefik'; }, 'ForwardAuthWrongTarget', 'files[/etc/traefik/dynamic/middleware-forward-auth.yml].http.middlewares.authentik.forwardAuth.address'],
    ['the entrypoint without the security headers', '/etc/traefik/traefik.yml', (d) => { delete d.entryPoints.websecure.http.middlewares; }, 'SecurityHeadersNotApplied', 'files[/etc/traefik/traefik.yml].entryPoints.websecure.http.middlewares'],
    ['HSTS of five minutes', '/etc/traefik/dynamic/middleware-security-headers.yml', (d) => { d.http.middlewares['security-headers'].headers.stsSeconds = 300; }, 'SecurityHeadersWeak', 'files[/etc/traefik/dynamic/middleware-security-headers.yml].http.middlewares.security-headers.headers.stsSeconds'],
    ['TLS 1.0 accepted', '/etc/traefik/dynamic/middleware-security-headers.yml', (d) => { d.tls.options.default.minVersion = 'VersionTLS10'; }, 'WeakTlsOptions', 'files[/etc/traefik/dynamic/middleware-security-headers.yml].tls.options.default.minVersion'],
    ['no strict SNI', '/etc/traefik/dynamic/middleware-security-headers.yml', (d) => { delete d.tls.options.default.sniStrict; }, 'WeakTlsOptions', 'files[/etc/traefik/dynamic/middleware-security-headers.yml].tls.options.default.sniStrict'],
  ])('would report %s', (_name, path, change, code, at) => {
    expect(check(edit(path, change)).map((p) => [p.code, p.path])).toContainEqual([code, at]);
  });
});
