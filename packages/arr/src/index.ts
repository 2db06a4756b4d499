import { defineService, type ConfigFile, type RenderContext } from '@homelab/core/model';
import {
  composeFile, composeRef, envFile, envRef, generatedHeader, stackDir, toYaml, type ComposeService,
} from '@homelab/core/render';

/** LinuxServer.io images, pinned to a release and build; `make patch-docker` moves them. */
export const IMAGES = {
  gluetun: 'docker.io/qmcgaw/gluetun:v3.40.0',
  sonarr: 'lscr.io/linuxserver/sonarr:4.0.15.2941-ls291',
  radarr: 'lscr.io/linuxserver/radarr:5.27.5.10198-ls283',
  prowlarr: 'lscr.io/linuxserver/prowlarr:2.6.5.5623-ls161',
  bazarr: 'lscr.io/linuxserver/bazarr:v1.5.6-ls349',
  overseerr: 'lscr.io/linuxserver/overseerr:v1.35.0-ls159',
  sabnzbd: 'lscr.io/linuxserver/sabnzbd:4.5.5-ls244',
  exportarr: 'ghcr.io/onedr0p/exportarr:v2.3.0',
} as const;

const STACK = stackDir('arr');
/** The whole NFS export, mounted once: library and downloads on one filesystem (imports are renames). */
export const DATA_DIR = '/data';
const PUID = '1000';

/** Web UIs: name → container port. SABnzbd's is published by Gluetun (its network namespace). */
export const WEB_PORTS = { sonarr: 8989, radarr: 7878, prowlarr: 9696, bazarr: 6767, overseerr: 5055, sabnzbd: 8080 } as const;

/** exportarr sidecars: app → metrics port. Overseerr has no exporter; see README. */
export const EXPORTERS = { sonarr: 9707, radarr: 9708, prowlarr: 9709, sabnzbd: 9710 } as const;

/**
 * Download clients that must only ever reach the internet through the VPN gateway: each runs in
 * the gateway's network namespace, so a dropped tunnel means no traffic, never a leak.
 */
export const KILL_SWITCH = { gateway: 'gluetun', clients: ['sabnzbd'] } as const;

const SECRETS = {
  provider: 'ARR_VPN_SERVICE_PROVIDER',
  privateKey: 'ARR_WIREGUARD_PRIVATE_KEY',
  addresses: 'ARR_WIREGUARD_ADDRESSES',
  sabnzbdApiKey: 'ARR_SABNZBD_API_KEY',
} as const;

function linuxserver(image: string, app: string, extra: Partial<ComposeService> = {}): ComposeService {
  return {
    image,
    environment: { PUID, PGID: PUID, UMASK: '002' },
    volumes: [`./config/${app}:/config`, `${DATA_DIR}:${DATA_DIR}`],
    ...extra,
  };
}

/** exportarr for the Servarr apps reads the API key (and port) from the app's own config.xml. */
function servarrExporter(app: 'sonarr' | 'radarr' | 'prowlarr'): ComposeService {
  return {
    image: IMAGES.exportarr,
    command: [app],
    environment: { PORT: String(EXPORTERS[app]), URL: `http://${app}:${WEB_PORTS[app]}`, CONFIG: '/config/config.xml' },
    volumes: [`./config/${app}:/config:ro`],
    ports: [`${EXPORTERS[app]}:${EXPORTERS[app]}`],
    depends_on: [app],
  };
}

/**
 * The LAN hosts the clients in the gateway's namespace must reach outside the tunnel, from the
 * model: the ingress, which proxies to their web UIs (each /32). Sonarr, Radarr and exportarr reach
 * them over the Compose network, which Gluetun allows on its own.
 */
export function vpnOutboundHosts(ctx: RenderContext): string[] {
  const ingress = ctx.services.find((s) => s.provides.includes('ingress'));
  return ingress?.ip && ctx.service.routes.length ? [`${ingress.ip}/32`] : [];
}

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const sabnzbdHost = ctx.service.routes.find((r) => r.name === 'sabnzbd')?.fqdn;
  const gateway = KILL_SWITCH.gateway;
  const outboundHosts = vpnOutboundHosts(ctx);
  const compose = composeFile({
    name: 'arr',
    services: {
      [gateway]: {
        image: IMAGES.gluetun,
        cap_add: ['NET_ADMIN'],
        devices: ['/dev/net/tun:/dev/net/tun'],
        environment: {
          VPN_SERVICE_PROVIDER: composeRef(SECRETS.provider),
          VPN_TYPE: 'wireguard',
          WIREGUARD_PRIVATE_KEY: composeRef(SECRETS.privateKey),
          WIREGUARD_ADDRESSES: composeRef(SECRETS.addresses),
          // The kill switch's only hole: replies to the ingress (the one LAN host that connects to
          // SABnzbd's port) leave by eth0, not the tunnel. Nothing else on the LAN is reachable
          // outside the tunnel (the media share is an NFS mount of the host, not the container's).
          ...(outboundHosts.length ? { FIREWALL_OUTBOUND_SUBNETS: outboundHosts.join(',') } : {}),
        },
        // The clients in this namespace publish their ports here.
        ports: [`${WEB_PORTS.sabnzbd}:${WEB_PORTS.sabnzbd}`],
        volumes: ['./config/gluetun:/gluetun'],
      },
      sabnzbd: linuxserver(IMAGES.sabnzbd, 'sabnzbd', {
        network_mode: `service:${gateway}`,
        depends_on: { [gateway]: { condition: 'service_healthy' } },
      }),
      sonarr: linuxserver(IMAGES.sonarr, 'sonarr', { ports: [`${WEB_PORTS.sonarr}:${WEB_PORTS.sonarr}`] }),
      radarr: linuxserver(IMAGES.radarr, 'radarr', { ports: [`${WEB_PORTS.radarr}:${WEB_PORTS.radarr}`] }),
      prowlarr: {
        image: IMAGES.prowlarr,
        environment: { PUID, PGID: PUID, UMASK: '002' },
        volumes: ['./config/prowlarr:/config'],
        ports: [`${WEB_PORTS.prowlarr}:${WEB_PORTS.prowlarr}`],
      },
      bazarr: linuxserver(IMAGES.bazarr, 'bazarr', { ports: [`${WEB_PORTS.bazarr}:${WEB_PORTS.bazarr}`] }),
      overseerr: {
        image: IMAGES.overseerr,
        environment: { PUID, PGID: PUID, UMASK: '002' },
        volumes: ['./config/overseerr:/config'],
        ports: [`${WEB_PORTS.overseerr}:${WEB_PORTS.overseerr}`],
      },
      'exportarr-sonarr': servarrExporter('sonarr'),
      'exportarr-radarr': servarrExporter('radarr'),
      'exportarr-prowlarr': servarrExporter('prowlarr'),
      'exportarr-sabnzbd': {
        image: IMAGES.exportarr,
        command: ['sabnzbd'],
        // SABnzbd listens in Gluetun's namespace: reach it by the gateway's name.
        environment: { PORT: String(EXPORTERS.sabnzbd), URL: `http://${gateway}:${WEB_PORTS.sabnzbd}`, APIKEY: composeRef(SECRETS.sabnzbdApiKey) },
        ports: [`${EXPORTERS.sabnzbd}:${EXPORTERS.sabnzbd}`],
        depends_on: ['sabnzbd'],
      },
    },
  });
  // SABnzbd refuses host names it does not know ("hostname verification failed"): its route's name
  // is allowed, and its API key is known so exportarr and Sonarr/Radarr can use it. SABnzbd
  // rewrites this file itself, so it is written once and never overwritten.
  const sabnzbdIni = [
    '# SABnzbd first-start settings. Generated by homelab; written once, then owned by SABnzbd.',
    '[misc]',
    `port = ${WEB_PORTS.sabnzbd}`,
    `host_whitelist = ${sabnzbdHost ?? ''},`,
    `api_key = ${envRef(SECRETS.sabnzbdApiKey)}`,
    `download_dir = ${DATA_DIR}/downloads/incomplete`,
    `complete_dir = ${DATA_DIR}/downloads/complete`,
    '',
  ].join('\n');
  return [
    {
      path: `${STACK}/compose.yml`, mode: '0644', format: 'compose',
      content: toYaml(compose, { header: generatedHeader(pkg, 'ARR stack: Gluetun (VPN), SABnzbd in its namespace, Sonarr, Radarr, Prowlarr, Bazarr, Overseerr, exportarr.') }),
    },
    envFile(`${STACK}/.env`, Object.values(SECRETS), {}, [STACK]),
    {
      path: `${STACK}/config/sabnzbd/sabnzbd.ini`, mode: '0600', format: 'text', secret: true, createOnly: true, owner: PUID,
      content: sabnzbdIni,
    },
  ];
}

const ui = (name: keyof typeof WEB_PORTS, probePath = '/') => ({ name, host: name, port: WEB_PORTS[name], auth: 'authentik' as const, admin: true, probePath });

export default defineService({
  name: 'arr',
  description: 'ARR stack: Sonarr, Radarr, Prowlarr, Bazarr, Overseerr and SABnzbd, downloads only through the Gluetun VPN client',
  kind: 'lxc',
  tier: 'normal',
  group: 'media',
  docker: true,
  resources: { cores: 2, memoryMiB: 3072, disks: [{ storage: 'local', sizeGiB: 16 }] },
  // Gluetun creates its WireGuard interface on /dev/net/tun, which an unprivileged LXC lacks.
  devices: [{ device: 'tun' }],
  // The whole export, once: library and downloads on one filesystem, so imports are renames.
  nfsMounts: [{ share: '/', path: DATA_DIR }],
  // Every UI is an admin surface of the media stack, Overseerr included (it has its own login,
  // but it still drives Sonarr and Radarr): all behind Authentik.
  routes: [ui('sonarr'), ui('radarr'), ui('prowlarr'), ui('bazarr'), ui('overseerr'), ui('sabnzbd')],
  metrics: (Object.entries(EXPORTERS) as [string, number][]).map(([app, port]) => ({ name: `exportarr-${app}`, port })),
  ports: [
    ...(Object.entries(WEB_PORTS) as [string, number][]).map(([app, port]) => ({ port, protocol: 'tcp' as const, description: `${app} web UI${app === 'sabnzbd' ? ' (published by Gluetun)' : ''}` })),
    ...(Object.entries(EXPORTERS) as [string, number][]).map(([app, port]) => ({ port, protocol: 'tcp' as const, description: `exportarr metrics for ${app}` })),
  ],
  secrets: [
    { env: SECRETS.provider, description: 'Gluetun VPN_SERVICE_PROVIDER: the commercial VPN provider\'s name (not secret; the seed does not name it)' },
    { env: SECRETS.privateKey, description: 'WireGuard private key issued by the VPN provider' },
    { env: SECRETS.addresses, description: 'WireGuard interface address(es) issued by the VPN provider, e.g. 10.64.0.2/32' },
    { env: SECRETS.sabnzbdApiKey, description: 'SABnzbd API key (32 hex characters), used by Sonarr, Radarr and exportarr' },
  ],
  dependsOn: ['authentik', 'traefik', 'truenas'],
  facts: { killSwitch: KILL_SWITCH },
  files,
});
