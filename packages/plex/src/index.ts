import { composeFile, defineService, generatedHeader, stackDir, toYaml, type ConfigFile, type RenderContext } from '@homelab/core';

/** Pinned LinuxServer.io build; VERSION=docker keeps Plex at the image's version (no self-update). */
export const PLEX_IMAGE = 'lscr.io/linuxserver/plex:1.43.2.10687-563d026ea-ls312';
export const PLEX_PORT = 32400;
const STACK = stackDir('plex');
const PUID = '1000';
/** The site device of the iGPU, and the render node Quick Sync uses. */
const IGPU = 'igpu';

function files(ctx: RenderContext): ConfigFile[] {
  const renderNode = ctx.service.node?.devices[IGPU]?.path ?? ctx.service.node?.devices[IGPU]?.id ?? '/dev/dri/renderD128';
  const media = ctx.service.nfsMounts[0]!.path;
  const compose = composeFile({
    name: 'plex',
    services: {
      plex: {
        image: PLEX_IMAGE,
        // Host networking: GDM discovery and clients on the LAN reach 32400 directly.
        network_mode: 'host',
        environment: { PUID, PGID: PUID, VERSION: 'docker' },
        devices: [`${renderNode}:${renderNode}`],
        volumes: ['./config:/config', './transcode:/transcode', `${media}:${media}:ro`],
      },
    },
  });
  return [{
    path: `${STACK}/compose.yml`, mode: '0644', format: 'compose',
    content: toYaml(compose, { header: generatedHeader(ctx.service.pkg, 'Plex Media Server with Intel Quick Sync (render node passed through).') }),
  }];
}

export default defineService({
  name: 'plex',
  description: 'Plex Media Server with iGPU hardware transcoding (Intel Quick Sync); library read-only from TrueNAS',
  kind: 'lxc',
  tier: 'normal',
  group: 'media',
  docker: true,
  resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: 32 }] },
  devices: [{ device: IGPU }],
  // The library only: Plex never writes to it.
  nfsMounts: [{ share: '/media', path: '/media', readOnly: true }],
  // Seed: "Plex auth". The player UI and its settings are behind Plex's own account login.
  routes: [{ name: 'plex', host: 'plex', port: PLEX_PORT, auth: 'app', admin: false, probePath: '/identity' }],
  ports: [{ port: PLEX_PORT, protocol: 'tcp', description: 'Plex Media Server (LAN clients and Traefik)', from: ['lan'] }],
  dependsOn: ['traefik', 'truenas'],
  files,
});
