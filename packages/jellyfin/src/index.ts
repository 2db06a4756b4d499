import { mediaServerService } from '@homelab/core/render';

/** Pinned LinuxServer.io build (ships jellyfin-ffmpeg with VAAPI/QSV). */
export const JELLYFIN_IMAGE = 'lscr.io/linuxserver/jellyfin:10.11.11';
export const JELLYFIN_PORT = 8096;

/** One media server definition, shared with Plex (core: mediaServerService). */
export default mediaServerService({
  name: 'jellyfin',
  description: 'Jellyfin media server with iGPU hardware transcoding (VAAPI); library read-only from TrueNAS',
  image: JELLYFIN_IMAGE,
  // Seed: "Own auth". Client discovery (7359/udp) and DLNA work on the LAN; the dashboard needs a Jellyfin administrator login.
  port: JELLYFIN_PORT,
  probePath: '/health',
  portDescription: 'Jellyfin HTTP (LAN clients and Traefik)',
  summary: 'Jellyfin with VAAPI (render node passed through).',
  diskGiB: 16,
  group: 'media',
  tier: 'normal',
  dependsOn: ['traefik', 'truenas'],
  environment: (fqdn) => ({ JELLYFIN_PublishedServerUrl: `https://${fqdn}` }),
});
