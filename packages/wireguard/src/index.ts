import { defineService, formatIpv4, parseCidr, siteFeature, type ConfigFile, type RenderContext } from '@homelab/core/model';
import { DEPLOY_MACHINE, envRef, generatedHeader, wireguardConfig } from '@homelab/core/render';

/** A remote-management client of the tunnel. Keys are referenced by environment variable name. */
export interface WireguardPeerSpec {
  readonly name: string;
  /** The peer's host number inside the site's tunnel subnet (2: the subnet's second address). */
  readonly hostNumber: number;
  /** Env var holding the peer's public key (goes into the server's wg0.conf). */
  readonly publicKeyEnv: string;
  /** Env var holding the peer's private key (goes only into its client config on the deploy machine). */
  readonly privateKeyEnv: string;
  /**
   * Env var holding the pair's preshared key (`wg genpsk`), in both the server's [Peer] and the
   * client's: a second, symmetric layer, so recorded traffic stays sealed even if Curve25519 falls.
   */
  readonly presharedKeyEnv: string;
}

/** The peers (assumption: the seed names none; a laptop and a phone of the single operator). */
export const PEERS: readonly WireguardPeerSpec[] = [
  { name: 'laptop', hostNumber: 2, publicKeyEnv: 'WG_PEER_LAPTOP_PUBLIC_KEY', privateKeyEnv: 'WG_PEER_LAPTOP_PRIVATE_KEY', presharedKeyEnv: 'WG_PEER_LAPTOP_PRESHARED_KEY' },
  { name: 'phone', hostNumber: 3, publicKeyEnv: 'WG_PEER_PHONE_PUBLIC_KEY', privateKeyEnv: 'WG_PEER_PHONE_PRIVATE_KEY', presharedKeyEnv: 'WG_PEER_PHONE_PRESHARED_KEY' },
];
/** The server's host number inside the tunnel: the subnet's first host. */
export const SERVER_HOST_NUMBER = 1;

/** The address with this host number inside the site's tunnel subnet. */
export function tunnelAddress(subnet: string, hostNumber: number): string {
  const cidr = parseCidr(subnet);
  if (!cidr) throw new Error(`wireguard: the site's tunnel subnet ${subnet} is not an IPv4 CIDR`);
  return formatIpv4(cidr.network + hostNumber);
}
const SERVER_PRIVATE_KEY = 'WG_SERVER_PRIVATE_KEY';
const SERVER_PUBLIC_KEY = 'WG_SERVER_PUBLIC_KEY';
export const WG_CONF = '/etc/wireguard/wg0.conf';
/** Client configs land on the deploy machine, where wg-quick or `qrencode -t ansiutf8 < file` uses them. */
export const CLIENT_DIR = '/etc/wireguard/clients';
const KEEPALIVE_SECONDS = 25;

function prefixOf(cidr: string): string {
  return cidr.split('/')[1] ?? '32';
}

function files(ctx: RenderContext): ConfigFile[] {
  const pkg = ctx.service.pkg;
  const { subnet, port, endpointHost } = siteFeature(ctx.site, 'wireguard');
  const server = wireguardConfig({
    interface: { address: [`${tunnelAddress(subnet, SERVER_HOST_NUMBER)}/${prefixOf(subnet)}`], listenPort: port, privateKey: envRef(SERVER_PRIVATE_KEY) },
    peers: PEERS.map((p) => ({ name: p.name, publicKey: envRef(p.publicKeyEnv), presharedKey: envRef(p.presharedKeyEnv), allowedIps: [`${tunnelAddress(subnet, p.hostNumber)}/32`] })),
  }, generatedHeader(pkg, 'WireGuard server: remote-management tunnel; split tunnel, clients route only the tunnel subnet.'));
  const clients: ConfigFile[] = PEERS.map((p) => ({
    path: `${CLIENT_DIR}/${p.name}.conf`,
    host: DEPLOY_MACHINE,
    hostLevel: { reason: `the configuration of the ${p.name} client, which the operator hands to that device; it has no place on the server` },
    mode: '0600',
    format: 'wireguard',
    secret: true,
    content: wireguardConfig({
      interface: { address: [`${tunnelAddress(subnet, p.hostNumber)}/32`], privateKey: envRef(p.privateKeyEnv) },
      // Split tunnel: only the tunnel subnet goes through; the client's own LAN (often also
      // 192.168.86.0/24) and the internet stay on its local route.
      peers: [{ name: `${ctx.service.name} (${endpointHost})`, publicKey: envRef(SERVER_PUBLIC_KEY), presharedKey: envRef(p.presharedKeyEnv), allowedIps: [subnet], endpoint: `${endpointHost}:${port}`, persistentKeepalive: KEEPALIVE_SECONDS }],
    }, generatedHeader(pkg, `WireGuard client ${p.name}: split tunnel to ${subnet} only.`)),
  }));
  return [
    { path: WG_CONF, mode: '0600', format: 'wireguard', secret: true, content: server, restarts: ['wg-quick@wg0.service'] },
    ...clients,
  ];
}

// A function of the site: the tunnel is its `wireguard` (a site without one gets a
// MissingSiteFeature problem).
export default defineService((site) => {
  const tunnel = siteFeature(site, 'wireguard');
  return {
    name: 'wireguard',
    description: `Remote-management VPN (UDP ${tunnel.port}): split tunnel, clients route only the tunnel subnet`,
    kind: 'lxc',
    tier: 'minimal',
    group: 'security',
    resources: { cores: 1, memoryMiB: 512, disks: [{ storage: 'local', sizeGiB: 4 }] },
    ports: [{ port: tunnel.port, protocol: 'udp', description: `WireGuard (port-forwarded by the router; ${tunnel.endpointHost} is DNS-only)`, public: true }],
    secrets: [
      { env: SERVER_PRIVATE_KEY, description: 'Private key of the WireGuard server (wg genkey)' },
      { env: SERVER_PUBLIC_KEY, description: 'Public key of the WireGuard server, for the client configs (wg pubkey)' },
      ...PEERS.flatMap((p) => [
        { env: p.publicKeyEnv, description: `Public key of peer ${p.name}` },
        { env: p.privateKeyEnv, description: `Private key of peer ${p.name} (only written into its client config on the deploy machine)` },
        { env: p.presharedKeyEnv, description: `Preshared key of the server and peer ${p.name} (wg genpsk), in both configs` },
      ]),
    ],
    hostPackages: { wireguard: ['wireguard-tools'] },
    // Facts a policy rule (split tunnel) or another package can read.
    facts: {
      wireguard: {
        subnet: tunnel.subnet,
        serverAddress: tunnelAddress(tunnel.subnet, SERVER_HOST_NUMBER),
        peers: PEERS.map((p) => ({ name: p.name, address: tunnelAddress(tunnel.subnet, p.hostNumber), allowedIps: [tunnel.subnet] })),
      },
    },
    files,
  };
});
