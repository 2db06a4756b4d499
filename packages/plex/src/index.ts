import { mediaServerService } from '@homelab/core/render';

/** Pinned LinuxServer.io build; VERSION=docker keeps Plex at the image's version (no self-update). */
export const PLEX_IMAGE = 'lscr.io/linuxserver/plex:1.43.2.10687-563d026ea-ls312';
export const PLEX_PORT = 32400;

/** One media server definition, shared with Jellyfin (core: mediaServerService). */
export default mediaServerService({
  name: 'plex',
  description: 'Plex Media Server with iGPU hardware transcoding (Intel Quick Sync); library read-only from TrueNAS',
  image: PLEX_IMAGE,
  // Seed: "Plex auth". GDM discovery and LAN clients reach 32400 directly.
  port: PLEX_PORT,
  probePath: '/identity',
  portDescription: 'Plex Media Server (LAN clients and Traefik)',
  summary: 'Plex Media Server with Intel Quick Sync (render node passed through).',
  diskGiB: 32,
  group: 'media',
  tier: 'normal',
  dependsOn: ['traefik', 'truenas'],
  environment: () => ({ VERSION: 'docker' }),
  extraVolumes: ['./transcode:/transcode'],
});
