import { composeFile, defineService, generatedHeader, stackDir, toYaml, type ConfigFile, type RenderContext } from '@homelab/core';

/** Pinned LinuxServer.io build (ships jellyfin-ffmpeg with VAAPI/QSV). */
export const JELLYFIN_IMAGE = 'lscr.io/linuxserver/jellyfin:10.11.11';
export const JELLYFIN_PORT = 8096;
const STACK = stackDir('jellyfin');
const PUID = '1000';
const IGPU = 'igpu';

function files(ctx: RenderContext): ConfigFile[] {
  const renderNode = ctx.service.node?.devices[IGPU]?.path ?? ctx.service.node?.devices[IGPU]?.id ?? '/dev/dri/renderD128';
  const media = ctx.service.nfsMounts[0]!.path;
  const route = ctx.service.routes[0]!;
  const compose = composeFile({
    name: 'jellyfin',
    services: {
      jellyfin: {
        image: JELLYFIN_IMAGE,
        // Host networking: client discovery (7359/udp) and DLNA work on the LAN.
        network_mode: 'host',
        environment: { PUID, PGID: PUID, JELLYFIN_PublishedServerUrl: `https://${route.fqdn}` },
        devices: [`${renderNode}:${renderNode}`],
        volumes: ['./config:/config', `${media}:${media}:ro`],
      },
    },
  });
  return [{
    path: `${STACK}/compose.yml`, mode: '0644', format: 'compose',
    content: toYaml(compose, { header: generatedHeader(ctx.service.pkg, 'Jellyfin with VAAPI (render node passed through).') }),
  }];
}

export default defineService({
  name: 'jellyfin',
  description: 'Jellyfin media server with iGPU hardware transcoding (VAAPI); library read-only from TrueNAS',
  kind: 'lxc',
  tier: 'normal',
  group: 'media',
  docker: true,
  resources: { cores: 2, memoryMiB: 2048, disks: [{ storage: 'local', sizeGiB: 16 }] },
  devices: [{ device: IGPU }],
  nfsMounts: [{ share: '/media', path: '/media', readOnly: true }],
  // Seed: "Own auth". The player UI; its dashboard needs a Jellyfin administrator login.
  routes: [{ name: 'jellyfin', host: 'jellyfin', port: JELLYFIN_PORT, auth: 'app', admin: false, probePath: '/health' }],
  ports: [{ port: JELLYFIN_PORT, protocol: 'tcp', description: 'Jellyfin HTTP (LAN clients and Traefik)', from: ['lan'] }],
  dependsOn: ['traefik', 'truenas'],
  files,
});
