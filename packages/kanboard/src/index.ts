import { defineService, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { composeFile, generatedHeader, stackDir, toYaml } from '@homelab/core/render';

export const KANBOARD_IMAGE = 'docker.io/kanboard/kanboard:v1.2.48';
const STACK = stackDir('kanboard');
const PORT = 80;

function files(ctx: RenderContext): ConfigFile[] {
  const compose = composeFile({
    name: 'kanboard',
    services: {
      kanboard: {
        image: KANBOARD_IMAGE,
        ports: [`${PORT}:80`],
        // SQLite in the data volume; plugins are installed by deploy (code), not from the web UI.
        environment: { PLUGIN_INSTALLER: 'false' },
        volumes: ['kanboard-data:/var/www/app/data', 'kanboard-plugins:/var/www/app/plugins'],
      },
    },
    volumes: { 'kanboard-data': { driver: 'local' }, 'kanboard-plugins': { driver: 'local' } },
  });
  return [{ path: `${STACK}/compose.yml`, mode: '0644', format: 'compose', content: toYaml(compose, { header: generatedHeader(ctx.service.pkg, 'Kanboard (SQLite).') }) }];
}

export default defineService({
  name: 'kanboard',
  description: 'Kanboard: project management and task queue, behind Authentik',
  kind: 'lxc',
  // Not in the seed's weight table: a single-user PHP app with SQLite (assumption: minimal, 512).
  tier: 'minimal',
  group: 'apps',
  docker: true,
  resources: { cores: 1, memoryMiB: 1024, disks: [{ storage: 'local', sizeGiB: 8 }] },
  routes: [{ name: 'kanboard', host: 'kanboard', port: PORT, auth: 'authentik', admin: true, probePath: '/' }],
  ports: [{ port: PORT, protocol: 'tcp', description: 'Kanboard web UI (through Traefik and Authentik)' }],
  dependsOn: ['authentik', 'traefik'],
  files,
});
