import { describe, expect, it } from 'vitest';
import { relocateWritablePaths } from '../../../src/validate/index.ts';
import { brief, realTool, tempRoot, toolChecks, writeDist } from './helpers.ts';

const root = tempRoot('nginx');
const nginx = realTool('nginx');
const FILE = 'files/recipe-site/etc/nginx/nginx.conf';

// Like the recipe-site config: every writable path is the target's (/run, /var/log, /var/lib).
const CONF = `user www-data;
worker_processes auto;
pid /run/nginx.pid;
error_log /var/log/nginx/error.log warn;
events { worker_connections 512; }
http {
    include /etc/nginx/mime.types;
    access_log /var/log/nginx/access.log;
    client_body_temp_path /var/lib/nginx/client_body;
    proxy_temp_path /var/lib/nginx/proxy;
    fastcgi_temp_path /var/lib/nginx/fastcgi;
    uwsgi_temp_path /var/lib/nginx/uwsgi;
    scgi_temp_path /var/lib/nginx/scgi;
    proxy_cache_path /var/lib/nginx/cache levels=1:2 keys_zone=recipes:10m max_size=256m;
    gzip on;
    upstream app { server 127.0.0.1:8080; }
    server {
        listen 80;
        location / { proxy_pass http://app; proxy_cache recipes; access_log off; }
    }
}
`;

const dist = (service: string, content: string): string =>
  writeDist(root, service, { [FILE]: content }, [{ file: FILE, format: 'nginx', target: { host: 'recipe-site', path: '/etc/nginx/nginx.conf', mode: '0644', owner: 'root' } }]);

describe('relocateWritablePaths', () => {
  it('moves pid, log, temp and cache paths under the prefix on the same lines, and nothing else', () => {
    const { text, dirs, moved } = relocateWritablePaths(CONF, '/tmp/p');
    expect(moved).toBe(9);
    expect(text.split('\n')).toHaveLength(CONF.split('\n').length);
    expect(text).toContain('pid /tmp/p/run/nginx.pid;');
    expect(text).toContain('proxy_cache_path /tmp/p/var/lib/nginx/cache levels=1:2');
    expect(text).toContain('include /etc/nginx/mime.types;');
    expect(text).toContain('access_log off;');
    expect(dirs).toEqual(['/tmp/p/run', '/tmp/p/var/lib/nginx', '/tmp/p/var/log/nginx']);
    expect(relocateWritablePaths('error_log /dev/stderr;\n', '/tmp/p').moved).toBe(0);
  });
});

describe.skipIf(nginx.skip)(`nginx -t (real)${nginx.suffix}`, () => {
  it('passes the generated config, its target paths moved into a temporary prefix (with a note)', async () => {
    const [check] = await toolChecks(root, dist('nginx-ok', CONF), 'nginx -t');
    expect(check).toMatchObject({ status: 'passed', problems: [], notes: ['checked a copy with 9 pid/log/temp/cache paths moved into a temporary directory (same lines)'] });
  });

  it('fails a bad directive with nginx\'s message, pointing at the generated file and line', async () => {
    const [check] = await toolChecks(root, dist('nginx-bad', CONF.replace('gzip on;', 'gzip maybe;')), 'nginx -t');
    expect(check!.status).toBe('failed');
    expect(brief(check!)).toEqual(['NginxTestFailed line 15: nginx -t rejected the config:']);
    expect(check!.problems[0]!.message).toContain(`invalid value "maybe" in "gzip" directive, it must be "on" or "off" in dist/nginx-bad/${FILE}:15`);
  });
});
