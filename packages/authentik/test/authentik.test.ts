import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { checkRenderedFiles, type ConfigFile } from '@homelab/core';
import { validateArtifact } from '../../../libs/core/src/validate/index.ts';

const a = await synthesizeFor(fixtureSite, 'authentik');
const here = placementOf(fixtureSite, 'authentik');
const domain = fixtureSite.domain;
const adminGroup = fixtureSite.identity!.adminGroup;
const compose = parse(a.text('files/authentik/opt/stacks/authentik/compose.yml'));

describe('authentik: infrastructure', () => {
  const ct = a.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container.authentik;
  it('is its address-plan LXC with CPU weight 1200 (high)', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 1200 }, features: { nesting: true } });
    expect(ct.initialization.ip_config[0].ipv4.address).toBe(here.cidr);
  });
  it('boots after Traefik', () => {
    expect(ct.startup.order).toBe(2);
  });
});

describe('authentik: compose stack', () => {
  it('runs server, worker, PostgreSQL and Redis', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['postgresql', 'redis', 'server', 'worker']);
    expect(compose.services.server.command).toBe('server');
    expect(compose.services.worker.command).toBe('worker');
    expect(compose.services.server.depends_on).toEqual({ postgresql: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
  });
  it('references its secrets by environment variable name only', () => {
    const env = compose.services.server.environment;
    expect(env.AUTHENTIK_SECRET_KEY).toMatch(/^\$\{AUTHENTIK_SECRET_KEY:\?/);
    expect(env.AUTHENTIK_POSTGRESQL__PASSWORD).toMatch(/^\$\{AUTHENTIK_PG_PASSWORD:\?/);
    const dotenv = a.text('files/authentik/opt/stacks/authentik/.env');
    expect(dotenv).toContain("AUTHENTIK_SECRET_KEY={{ lookup('ansible.builtin.env', 'AUTHENTIK_SECRET_KEY') }}");
    expect(a.json('manifest.json').artifacts.find((x: any) => x.target?.path === '/opt/stacks/authentik/.env').target.mode).toBe('0600');
  });
  it('a fresh install needs no click through the setup flow: the worker gets the akadmin bootstrap password (by name), the server does not', () => {
    expect(compose.services.worker.environment.AUTHENTIK_BOOTSTRAP_PASSWORD).toMatch(/^\$\{AUTHENTIK_BOOTSTRAP_PASSWORD:\?/);
    expect(compose.services.server.environment.AUTHENTIK_BOOTSTRAP_PASSWORD).toBeUndefined();
    expect(a.text('files/authentik/opt/stacks/authentik/.env')).toContain("AUTHENTIK_BOOTSTRAP_PASSWORD={{ lookup('ansible.builtin.env', 'AUTHENTIK_BOOTSTRAP_PASSWORD') }}");
  });
  it('mounts the homelab blueprints directory', () => {
    expect(compose.services.worker.volumes).toContain('./blueprints/homelab:/blueprints/homelab');
  });
});

describe('authentik: blueprints', () => {
  it('carries the provider and application of Traefik\'s dashboard (Traefik deploys before Authentik exists)', () => {
    const text = a.text('files/authentik/opt/stacks/authentik/blueprints/homelab/traefik.yaml');
    const bp = parse(text, { customTags: [{ tag: '!KeyOf', resolve: (v: string) => ({ keyOf: v }) }, { tag: '!Find', collection: 'seq', resolve: (v: { toJSON(): unknown }) => ({ find: v.toJSON() }) }] as never });
    const [group, provider, application, binding] = bp.entries;
    expect(group).toEqual({ model: 'authentik_core.group', state: 'present', identifiers: { name: adminGroup }, attrs: { name: adminGroup, is_superuser: false } });
    expect(binding).toEqual({
      model: 'authentik_policies.policybinding', state: 'present',
      identifiers: { target: { find: ['authentik_core.application', ['slug', 'traefik-dashboard']] }, group: { find: ['authentik_core.group', ['name', adminGroup]] } },
      attrs: { order: 0, enabled: true, negate: false, timeout: 30, failure_result: false },
    });
    expect(provider).toMatchObject({ model: 'authentik_providers_proxy.proxyprovider', attrs: { mode: 'forward_single', external_host: `https://traefik.${domain}` } });
    expect(application).toMatchObject({ model: 'authentik_core.application', attrs: { slug: 'traefik-dashboard' } });
    expect(text).toContain('provider: !KeyOf provider-dashboard');
  });
  it('binds every protected provider of the site to the embedded outpost', async () => {
    const s = a.synthesis;
    const protectedCount = s.home.services.flatMap((x) => x.routes.filter((r) => r.auth === 'authentik')).length;
    const text = a.text('files/authentik/opt/stacks/authentik/blueprints/homelab/outpost-embedded.yaml');
    expect(text).toContain('managed: goauthentik.io/outposts/embedded');
    expect(text.match(/!Find \[ authentik_providers_proxy.proxyprovider/g)).toHaveLength(protectedCount);
  });
  it('routes its portal through Traefik with its own login', () => {
    const route = parse(a.text('files/traefik/etc/traefik/dynamic/authentik.yml'));
    expect(route.http.routers['authentik-auth']).toMatchObject({ rule: `Host(\`auth.${domain}\`)` });
    expect(route.http.routers['authentik-auth'].middlewares).toBeUndefined();
    expect(route.http.services['authentik-auth'].loadBalancer.servers).toEqual([{ url: `http://${here.ip}:9000` }]);
  });
});

describe('authentik: only the admin group reaches admin applications', () => {
  const site = a.synthesis;
  const blueprints = site.results.flatMap((r) => r.configFiles.filter((f) => f.format === 'authentik-blueprint').map((f) => ({ owner: r.service, file: f })));
  const adminRoutes = site.home.services.flatMap((s) => s.routes.filter((r) => r.auth === 'authentik' && r.admin).map((r) => ({ s, r })));
  it('binds the site\'s identity.adminGroup to the application of every admin route of the site', () => {
    expect(adminRoutes.length).toBeGreaterThan(10);
    const all = blueprints.map((b) => b.file.content).join('\n');
    for (const { s, r } of adminRoutes) {
      const slug = r.name === s.name ? s.name : `${s.name}-${r.name}`;
      expect(all, slug).toContain(`target: !Find [ authentik_core.application, [ slug, ${slug} ] ]`);
    }
    expect(all.match(/model: authentik_policies.policybinding/g)?.length).toBeGreaterThanOrEqual(adminRoutes.length);
  });
  it('every blueprint passes the upstream Authentik blueprint schema', () => {
    for (const { file } of blueprints) expect(validateArtifact('authentik-blueprint', file.content, file.path).problems, file.path).toEqual([]);
  });
  it('the rule authentik-admin finds nothing, and would report a binding taken away', () => {
    expect(site.problems.filter((p) => p.code.startsWith('Admin'))).toEqual([]);
    const arr = site.results.find((r) => r.service === 'arr')!.configFiles;
    const stripped: ConfigFile[] = arr.map((f) => (f.format === 'authentik-blueprint' && f.path.endsWith('/arr.yaml')
      ? { ...f, content: f.content.replace(/\n  - model: authentik_policies\.policybinding\n(?: {4}.*\n)+/g, '\n') }
      : f));
    expect(stripped.find((f) => f.path.endsWith('/arr.yaml'))!.content).not.toContain('policybinding');
    const problems = checkRenderedFiles(site.home, new Map([['arr', stripped]])).filter((p) => p.code === 'AdminAppWithoutBinding');
    expect(problems.map((p) => [p.source, p.path])).toEqual([0, 1, 2, 3, 4, 5].map((i) => ['packages/arr', `routes[${i}]`]));
  });
});
