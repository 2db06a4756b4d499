import { defineService, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { composeFile, composeRef, envFile, generatedHeader, stackDir, toYaml } from '@homelab/core/render';
import { outpostFile } from '@homelab/core/synth';

/**
 * Pinned to the last release line that still runs with Redis, as the design describes
 * (PostgreSQL + Redis); see docs/decisions.md.
 */
export const AUTHENTIK_IMAGE = 'ghcr.io/goauthentik/server:2025.8.4';
const POSTGRES_IMAGE = 'docker.io/library/postgres:16.10-alpine';
const REDIS_IMAGE = 'docker.io/library/redis:7.4-alpine';
const STACK = stackDir('authentik');
const SECRET_KEY = 'AUTHENTIK_SECRET_KEY';
const PG_PASSWORD = 'AUTHENTIK_PG_PASSWORD';
/**
 * The akadmin password of a fresh install: Authentik's own automated install reads it on the
 * worker's first startup only (and not from a file), so a rebuilt Authentik needs no click
 * through the out-of-box flow; later starts ignore it.
 */
export const BOOTSTRAP_PASSWORD = 'AUTHENTIK_BOOTSTRAP_PASSWORD';

function authentikEnvironment(): Record<string, string> {
  return {
    AUTHENTIK_REDIS__HOST: 'redis',
    AUTHENTIK_POSTGRESQL__HOST: 'postgresql',
    AUTHENTIK_POSTGRESQL__USER: 'authentik',
    AUTHENTIK_POSTGRESQL__NAME: 'authentik',
    AUTHENTIK_POSTGRESQL__PASSWORD: composeRef(PG_PASSWORD),
    AUTHENTIK_SECRET_KEY: composeRef(SECRET_KEY),
    AUTHENTIK_ERROR_REPORTING__ENABLED: 'false',
  };
}

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const app = (command: 'server' | 'worker') => ({
    image: AUTHENTIK_IMAGE,
    command,
    environment: authentikEnvironment(),
    volumes: ['./media:/media', './custom-templates:/templates', './blueprints/homelab:/blueprints/homelab'],
    depends_on: { postgresql: { condition: 'service_healthy' as const }, redis: { condition: 'service_healthy' as const } },
  });
  const compose = composeFile({
    name: 'authentik',
    services: {
      postgresql: {
        image: POSTGRES_IMAGE,
        environment: { POSTGRES_USER: 'authentik', POSTGRES_DB: 'authentik', POSTGRES_PASSWORD: composeRef(PG_PASSWORD) },
        volumes: ['database:/var/lib/postgresql/data'],
        healthcheck: { test: ['CMD-SHELL', 'pg_isready -d $${POSTGRES_DB} -U $${POSTGRES_USER}'], interval: '30s', timeout: '5s', retries: 5, start_period: '20s' },
      },
      redis: {
        image: REDIS_IMAGE,
        command: '--save 60 1 --loglevel warning',
        volumes: ['redis:/data'],
        healthcheck: { test: ['CMD-SHELL', 'redis-cli ping | grep PONG'], interval: '30s', timeout: '3s', retries: 5, start_period: '20s' },
      },
      server: { ...app('server'), ports: ['9000:9000', '9443:9443', '9300:9300'] },
      worker: { ...app('worker'), environment: { ...authentikEnvironment(), AUTHENTIK_BOOTSTRAP_PASSWORD: composeRef(BOOTSTRAP_PASSWORD) } },
    },
    volumes: { database: { driver: 'local' }, redis: { driver: 'local' } },
  });
  return [
    { path: `${STACK}/compose.yml`, mode: '0644', format: 'compose', content: toYaml(compose, { header: generatedHeader(pkg, 'Authentik: server, worker, PostgreSQL and Redis.') }) },
    envFile(`${STACK}/.env`, [PG_PASSWORD, SECRET_KEY, BOOTSTRAP_PASSWORD], {}, [STACK]),
    // The outpost binding lives with Authentik too, so deploying Authentik alone restores it.
    outpostFile(ctx.services, ctx.service),
  ];
}

export default defineService({
  name: 'authentik',
  description: 'SSO identity provider (OIDC) and the forward-auth outpost for every protected route',
  kind: 'lxc',
  tier: 'high',
  cpuWeight: 1200,
  group: 'core',
  provides: ['identity'],
  docker: true,
  resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: 16 }] },
  // The login portal is Authentik itself: it cannot sit behind its own forward-auth.
  routes: [{ name: 'auth', host: 'auth', port: 9000, auth: 'app', admin: false, probePath: '/-/health/live/' }],
  metrics: [{ name: 'authentik', port: 9300 }],
  ports: [
    { port: 9000, protocol: 'tcp', description: 'HTTP: portal, API and the embedded outpost Traefik asks' },
    { port: 9443, protocol: 'tcp', description: 'HTTPS (self-signed), unused behind Traefik' },
  ],
  secrets: [
    { env: SECRET_KEY, description: 'Authentik secret key (signs sessions and tokens); 50+ random characters' },
    { env: PG_PASSWORD, description: 'Password of the authentik PostgreSQL user' },
    { env: BOOTSTRAP_PASSWORD, description: 'Password of akadmin on a fresh install (Authentik reads it on first startup only; sign in and add yourself to the admin group)' },
  ],
  dependsOn: ['traefik'],
  files,
});
