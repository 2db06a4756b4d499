import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fixtureSite, placementOf, synthesizeFor } from '@homelab/core/testing';
import { recipeNginxConf } from '../src/nginx.ts';

const r = await synthesizeFor(fixtureSite, 'recipe-site');
const { home } = r.synthesis;
const here = placementOf(fixtureSite, 'recipe-site');
const nginx = r.text('files/recipe-site/etc/nginx/nginx.conf');
const unit = r.text('files/recipe-site/etc/systemd/system/recipe-site.service');

describe('recipe-site: infrastructure', () => {
  const ct = r.json('terraform/cdk.tf.json').resource.proxmox_virtual_environment_container['recipe-site'];
  it('is its address-plan LXC with CPU weight 512 (minimal) and a data disk at /data', () => {
    expect(ct).toMatchObject({ vm_id: here.vmid, node_name: here.node, cpu: { units: 512 } });
    expect(ct.initialization.ip_config[0].ipv4).toEqual({ address: here.cidr, gateway: here.gateway });
    expect(ct.mount_point).toEqual([expect.objectContaining({ path: '/data', size: '4G' })]);
  });
});

describe('recipe-site: a public, read-only route', () => {
  it('is routed with no auth, declared public and not admin, and the model accepts it', () => {
    const route = home.byName.get('recipe-site')!.routes[0]!;
    expect(route).toMatchObject({ fqdn: `recipes.${fixtureSite.domain}`, auth: 'none', admin: false, public: true });
    expect(r.synthesis.problems.filter((p) => p.source === 'packages/recipe-site')).toEqual([]);
    const traefik = parse(r.text('files/traefik/etc/traefik/dynamic/recipe-site.yml'));
    expect(traefik.http.routers['recipe-site-recipes'].middlewares).toBeUndefined();
    expect(traefik.http.services['recipe-site-recipes'].loadBalancer.servers).toEqual([{ url: `http://${here.ip}:80` }]);
  });
});

describe('recipe-site: nginx and the Go app', () => {
  it('proxies to the Go app on 127.0.0.1:8080 with gzip and cached static files', () => {
    expect(nginx).toContain('server 127.0.0.1:8080;');
    expect(nginx).toContain('proxy_pass http://recipe_app;');
    expect(nginx).toMatch(/^\s+gzip on;$/m);
    expect(nginx).toMatch(/location \/static\/ \{\n\s+alias \/opt\/recipe-site\/static\/;\n\s+expires 7d;/);
    expect(nginx).toContain(`set_real_ip_from ${placementOf(fixtureSite, 'traefik').ip};`);
    expect(nginx).toContain('limit_except GET HEAD { deny all; }');
  });
  it('runs the app as its own user with the SQLite database on the data disk', () => {
    expect(unit).toContain('Environment=RECIPES_DB=/data/recipe-site/recipes.db');
    expect(unit).toContain('Environment=RECIPES_LISTEN=127.0.0.1:8080');
    expect(unit).toContain('User=recipe-site');
    expect(unit).toContain('ReadWritePaths=/data/recipe-site');
    expect(r.text('files/recipe-site/etc/tmpfiles.d/recipe-site.conf')).toContain('d /data/recipe-site 0750 recipe-site recipe-site -');
  });
  it('installs nginx, restarts it when nginx.conf changes, and enables the app', () => {
    const play = (parse(r.text('ansible/playbook.yml')) as any[]).find((p) => p.hosts === 'recipe-site');
    expect(play.tasks.find((t: any) => t['ansible.builtin.apt'])['ansible.builtin.apt'].name).toEqual(['nginx', 'sqlite3']);
    expect(play.tasks.find((t: any) => t.name === 'Install /etc/nginx/nginx.conf').notify).toEqual(['Restart nginx.service']);
    expect(play.tasks.map((t: any) => t.name)).toEqual(expect.arrayContaining(['Enable and start nginx.service', 'Enable and start recipe-site.service']));
  });
  it.skipIf(!hasNginx())('the same template passes `nginx -t` with test paths, and a broken one does not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'recipe-nginx-'));
    const conf = recipeNginxConf({
      header: ['test'], serverName: 'recipes.example.test', upstream: '127.0.0.1:8080', trustedProxy: '192.0.2.1', listenPort: 18080,
      staticRoot: join(dir, 'static'), pidFile: join(dir, 'nginx.pid'), errorLog: join(dir, 'error.log'), accessLog: join(dir, 'access.log'),
      tempDir: dir, mimeTypes: '/etc/nginx/mime.types',
    });
    writeFileSync(join(dir, 'nginx.conf'), conf);
    expect(() => execFileSync('nginx', ['-t', '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: 'pipe' })).not.toThrow();
    writeFileSync(join(dir, 'broken.conf'), conf.replace('gzip on;', 'gzip maybe;'));
    expect(() => execFileSync('nginx', ['-t', '-c', join(dir, 'broken.conf'), '-e', join(dir, 'error.log')], { stdio: 'pipe' })).toThrow();
  });
});

function hasNginx(): boolean {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
