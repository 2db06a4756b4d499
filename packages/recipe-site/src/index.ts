import { defineService, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { generatedHeader, systemdEnvironment, systemdUnit } from '@homelab/core/render';
import { recipeNginxConf } from './nginx.ts';

export const APP_LISTEN = '127.0.0.1:8080';
/** The Go binary and its static assets, installed by the app's own release (assumption). */
export const APP_DIR = '/opt/recipe-site';
/** The second disk of the LXC is mounted at /data (the data disk): the SQLite database lives there. */
export const DATA_DIR = '/data/recipe-site';
export const DATABASE = `${DATA_DIR}/recipes.db`;
const USER = 'recipe-site';
const NGINX_PORT = 80;

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const ingress = ctx.services.find((s) => s.provides.includes('ingress'));
  const route = ctx.service.routes[0]!;
  const header = (what: string) => generatedHeader(pkg, what);
  return [
    {
      path: '/etc/nginx/nginx.conf', mode: '0644', format: 'nginx', restarts: ['nginx.service'],
      content: recipeNginxConf({
        header: header('nginx in front of the recipe app: gzip, static caching, read-only proxy cache.'),
        user: 'www-data', serverName: route.fqdn, upstream: APP_LISTEN, trustedProxy: ingress?.ip ?? '127.0.0.1', listenPort: NGINX_PORT,
        staticRoot: `${APP_DIR}/static`, pidFile: '/run/nginx.pid', errorLog: '/var/log/nginx/error.log', accessLog: '/var/log/nginx/access.log',
        tempDir: '/var/lib/nginx', mimeTypes: '/etc/nginx/mime.types',
      }),
    },
    {
      path: `/etc/sysusers.d/${USER}.conf`, mode: '0644', format: 'text',
      content: [...header('System user of the recipe app (systemd-sysusers).').map((l) => `# ${l}`), `u ${USER} - "Recipe site" ${DATA_DIR}`, ''].join('\n'),
    },
    {
      path: `/etc/tmpfiles.d/${USER}.conf`, mode: '0644', format: 'text',
      content: [...header('The database directory on the data disk (systemd-tmpfiles).').map((l) => `# ${l}`), `d ${DATA_DIR} 0750 ${USER} ${USER} -`, ''].join('\n'),
    },
    {
      path: `/etc/systemd/system/${USER}.service`, mode: '0644', format: 'systemd',
      content: systemdUnit({
        Unit: { Description: 'Recipe site: Go + SQLite app behind nginx', After: 'network-online.target', Wants: 'network-online.target', RequiresMountsFor: '/data' },
        Service: {
          ExecStartPre: [`+/usr/bin/systemd-sysusers /etc/sysusers.d/${USER}.conf`, `+/usr/bin/systemd-tmpfiles --create /etc/tmpfiles.d/${USER}.conf`],
          ExecStart: `${APP_DIR}/recipe-site`,
          Environment: systemdEnvironment({ RECIPES_LISTEN: APP_LISTEN, RECIPES_DB: DATABASE, RECIPES_STATIC: `${APP_DIR}/static` }),
          User: USER,
          Group: USER,
          Restart: 'on-failure',
          RestartSec: '5s',
          NoNewPrivileges: true,
          ProtectSystem: 'strict',
          ProtectHome: true,
          PrivateTmp: true,
          ReadWritePaths: DATA_DIR,
        },
        Install: { WantedBy: 'multi-user.target' },
      }, header('The recipe app; its SQLite database is on the data disk.')),
    },
  ];
}

// A function of the site: the public name in the port's description is the site's.
export default defineService((site) => ({
  name: 'recipe-site',
  description: 'Go + SQLite recipe app with an nginx frontend: a public, read-only site',
  kind: 'lxc',
  tier: 'minimal',
  group: 'apps',
  resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }, { storage: 'local', sizeGiB: 4 }] },
  // Public and read-only: no login, no admin surface (the seed's Auth column is "—").
  routes: [{ name: 'recipes', host: 'recipes', port: NGINX_PORT, auth: 'none', admin: false, public: true, probePath: '/healthz' }],
  ports: [{ port: NGINX_PORT, protocol: 'tcp', description: `nginx (Traefik forwards https://recipes.${site.domain} here)` }],
  hostPackages: { 'recipe-site': ['nginx', 'sqlite3'] },
  dependsOn: ['traefik'],
  files,
}));
