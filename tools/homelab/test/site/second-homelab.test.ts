/**
 * Done when: a second homelab of our own making (second-homelab-workspace.ts: another domain,
 * subnet and three nodes, no Ceph, no Kubernetes, no WireGuard, deSEC instead of Cloudflare, its
 * own groups and OS image, a service this catalog does not have, and three of this repository's
 * packages) synthesizes and plans with the real CLI, libs/core and tools as they are, and its
 * output holds no string of this site.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homelab } from '../cli/run-homelab.ts';
import { createSecondHomelab } from './second-homelab-workspace.ts';
import { occurrences, stringsOfThisSite } from './this-site-strings.ts';

const ws = createSecondHomelab();
const env = { HOMELAB_SITE: join(ws, 'site.ts') };
const THIS_SITE = stringsOfThisSite({ withProvider: true });

function filesUnder(dir: string): [string, string][] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f): [string, string] => [relative(ws, join(dir, f)), readFileSync(join(dir, f), 'utf8')]);
}

describe('a second homelab', () => {
  it('the strings of this site it is checked against come from libs/site', () => {
    expect(THIS_SITE).toEqual(expect.arrayContaining(['woodhead.tech', '192.168.86.', 'pve1', 'tower1', 'zotac', '10.10.0.', 'cloudflare', 'ceph-rbd']));
  });

  it('synth writes its services, and what it writes holds no string of this site', async () => {
    const run = await homelab(['synth', '--root', ws], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('synth: wrote 4 services to dist/');
    const files = filesUnder(join(ws, 'dist'));
    expect(occurrences(files, THIS_SITE)).toEqual([]);
    const file = (path: string) => files.find(([f]) => f === path)?.[1] ?? '';
    // Its own facts are where this site's were.
    const traefik = file('dist/traefik/files/traefik/etc/traefik/traefik.yml');
    expect(traefik).toMatch(/dnsChallenge:\n\s+provider: desec/);
    expect(traefik).toContain('email: ops@harbor.example.net');
    expect(file('dist/traefik/files/traefik/opt/stacks/traefik/.env')).toContain('DESEC_TOKEN');
    expect(file('dist/bookshelf/files/traefik/etc/traefik/dynamic/bookshelf.yml')).toContain('Host(`books.harbor.example.net`)');
    const bookshelf = JSON.parse(file('dist/bookshelf/terraform/cdk.tf.json')) as { resource: Record<string, Record<string, any>> };
    const container = Object.values(bookshelf.resource.proxmox_virtual_environment_container!)[0];
    expect(container.operating_system).toEqual({ template_file_id: 'local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst', type: 'ubuntu' });
    expect(container.node_name).toBe('cedar');
    expect(container.initialization.ip_config[0].ipv4).toEqual({ address: '10.42.8.33/24', gateway: '10.42.8.254' });
    expect(container.disk.datastore_id).toBe('local-zfs');
  }, 120_000);

  it('plan plans it: its waves and groups, its three nodes, every rule and validation clean', async () => {
    const run = await homelab(['plan', '--root', ws], { env });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/traefik 0\.1\.0 \(edge, critical\)/);
    expect(run.stdout).toMatch(/bookshelf 0\.1\.0 \(family, low\) \[new\] after authentik, traefik/);
    expect(run.stdout).toMatch(/kanboard 0\.1\.0 \(work, minimal\)/);
    expect(run.stdout.match(/^ {2}(alder|birch|cedar) /gm)?.map((l) => l.trim())).toEqual(['alder', 'birch', 'cedar']);
    expect(run.stdout).toMatch(/Policy: \d+ rules, no problem\./);
    expect(run.stdout).toMatch(/Validation: \d+ checks on generated files, 0 failed/);
    expect(occurrences([['plan output', run.stdout + run.stderr]], THIS_SITE)).toEqual([]);
  }, 180_000);
});
