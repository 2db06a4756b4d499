/**
 * Definitions receive the site: under another site (what HOMELAB_SITE selects), the packages that
 * used to import libs/site follow it, in the same process that synthesized libs/site first (a
 * definition computed at import time would keep the first site's values). And a site without a
 * feature a package needs gets that package's coded problem, not a crash.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadHomelab, synthesizeSite, type Site } from '@homelab/core';
import { site as thisSite } from '@homelab/site';
import { movedSite, NODE_NAMES } from './moved-site.ts';
import { homelab } from '../cli/run-homelab.ts';
import { createRepositoryCopy } from './repository-workspace.ts';
import { REPO_ROOT } from './second-homelab-workspace.ts';
import { occurrences, stringsOfThisSite } from './this-site-strings.ts';

const SITE_READERS = ['alertmind', 'ceph', 'dns', 'monitoring', 'talos', 'traefik', 'wireguard'];
const otherSite = movedSite;

describe('definitions are functions of the site they are synthesized for', () => {
  it('under another site, talos, ceph, wireguard, monitoring, alertmind, dns and traefik follow it, even after synthesizing libs/site in the same process', async () => {
    const first = synthesizeSite(await loadHomelab(REPO_ROOT, thisSite), { only: SITE_READERS });
    expect(first.results.map((r) => r.service).sort()).toEqual(SITE_READERS);
    const other = synthesizeSite(await loadHomelab(REPO_ROOT, otherSite), { only: SITE_READERS });
    expect(other.problems.filter((p) => SITE_READERS.some((s) => p.source === `packages/${s}`))).toEqual([]);
    // Not checked: monitoring's promtool tests, whose synthetic series carry made-up labels
    // (node "pve1" at 192.168.0.29) as test input, not the site's nodes. Images of the seed
    // author's own apps (ghcr.io/woodhead/...) pass: the strings are the site's values, not "woodhead".
    const files = other.results.flatMap((r) => [...r.files].map(([path, content]): [string, string] => [`${r.service}/${path}`, content]))
      .filter(([path]) => !path.endsWith('/prometheus/tests/homelab.test.yml'));
    expect(occurrences(files, stringsOfThisSite())).toEqual([]);

    const text = (service: string, path: string) => other.results.find((r) => r.service === service)!.files.get(path)!;
    const talos = other.home.byName.get('talos')!;
    expect(talos.guests.map((g) => `${g.name}@${g.node?.name}:${g.placement.ip}`)).toEqual([
      'talos-cp-0@douglas:10.61.4.101', 'talos-worker-0@birch:10.61.4.111', 'talos-worker-1@cedar:10.61.4.112', 'talos-worker-2@elm:10.61.4.113',
    ]);
    expect(talos.facts.kubernetes?.apiEndpoint).toBe('https://10.61.4.100:6443');
    expect(talos.facts.kubernetes?.nodes).toEqual([
      { guest: 'talos-cp-0', role: 'controlplane' }, { guest: 'talos-worker-0', role: 'worker' }, { guest: 'talos-worker-1', role: 'worker' }, { guest: 'talos-worker-2', role: 'worker' },
    ]);
    expect(text('talos', 'files/localhost/talos/patches/talos-cp-0.yaml')).toContain('10.61.4.101/24');
    expect(text('ceph', 'files/birch/usr/local/sbin/homelab-ceph.sh')).toContain("readonly public_network=10.61.4.0/24");
    expect(other.home.byName.get('ceph')!.metrics.map((m) => `${m.name}@${m.address}`)).toEqual(['mgr-alder@10.61.4.29', 'mgr-douglas@10.61.4.130', 'mgr-elm@10.61.4.147']);
    expect(text('wireguard', 'files/wireguard/etc/wireguard/wg0.conf')).toContain('Address = 10.77.9.1/24');
    expect(other.home.byName.get('wireguard')!.facts.wireguard).toMatchObject({ subnet: '10.77.9.0/24', serverAddress: '10.77.9.1' });
    expect(Object.keys(other.home.byName.get('monitoring')!.hostPackages).filter((h) => Object.values(NODE_NAMES).includes(h)).sort()).toEqual(['alder', 'birch', 'cedar', 'douglas', 'elm']);
    expect(other.home.byName.get('alertmind')!.facts.alertWebhook).toEqual({ name: 'alertmind', url: 'http://10.61.4.25:5001/webhook' });
  }, 120_000);
});

describe('HOMELAB_SITE selects the site every package is synthesized for', () => {
  it('homelab synth of every package of this repository for the moved site writes none of libs/site\'s values', async () => {
    const ws = createRepositoryCopy();
    const run = await homelab(['synth', '--root', ws], { env: { HOMELAB_SITE: fileURLToPath(new URL('./moved-site.ts', import.meta.url)) } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const dist = join(ws, 'dist');
    const files = readdirSync(dist, { recursive: true, encoding: 'utf8' }).sort().filter((f) => statSync(join(dist, f)).isFile())
      // monitoring's promtool tests: synthetic series with made-up labels (node "pve1" at 192.168.0.29), test input, not the site's nodes.
      .filter((f) => !f.endsWith('/prometheus/tests/homelab.test.yml'))
      .map((f): [string, string] => [f, readFileSync(join(dist, f), 'utf8')]);
    expect(files.length).toBeGreaterThan(200);
    expect(occurrences(files, stringsOfThisSite())).toEqual([]);
    const text = (path: string) => files.find(([f]) => f === path)![1];
    expect(text('talos/files/localhost/talos/talos-apply.sh')).toContain("readonly endpoint=https://10.61.4.100:6443");
    expect(text('wireguard/files/localhost/etc/wireguard/clients/laptop.conf')).toContain('Address = 10.77.9.2/32');
    expect(text('dns/terraform/cdk.tf.json')).toContain('"name": "*.harbor.example"');
  }, 180_000);
});

describe('a site without a feature a package needs', () => {
  it('gives talos, ceph, wireguard and dns a coded problem naming the site field and the fix, and crashes nothing', async () => {
    const { kubernetes: _k, wireguard: _w, ...rest } = thisSite;
    const { ceph: _c, ...storage } = thisSite.storage;
    const bare: Site = { ...rest, storage, dns: { ...thisSite.dns, provider: 'desec' } };
    const home = await loadHomelab(REPO_ROOT, bare);
    const of = (service: string) => home.problems.filter((p) => p.source === `packages/${service}`).map((p) => `${p.code} ${p.path}`);
    expect(of('talos')).toEqual(['MissingSiteFeature site.kubernetes']);
    expect(of('ceph')).toEqual(['MissingSiteFeature site.storage.ceph']);
    expect(of('wireguard')).toEqual(['MissingSiteFeature site.wireguard']);
    expect(of('dns')).toEqual(['UnsupportedDnsProvider site.dns.provider']);
    const talos = home.problems.find((p) => p.source === 'packages/talos')!;
    expect(talos.fix).toMatch(/^Declare kubernetes: \{ apiVip, metallbPool: \{ start, end \} \} in the site, or remove this package/);
    expect(home.problems.find((p) => p.source === 'packages/dns')!.fix).toContain('add a DNS package for "desec"');
    expect(home.problems.filter((p) => ['RuleCrashed', 'DefinitionThrew', 'DefinitionDoesNotNormalize'].includes(p.code))).toEqual([]);
    // What needs a missing service is the dependents' problem (talos → ceph); nothing renders a crash either.
    const synthesis = synthesizeSite(home);
    expect(synthesis.problems.filter((p) => p.code === 'RenderFailed' || p.code === 'RuleCrashed')).toEqual([]);
  }, 120_000);
});
