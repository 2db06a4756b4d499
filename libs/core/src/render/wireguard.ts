/**
 * WireGuard configuration files (`wg-quick` format): one [Interface] section and one [Peer]
 * section per peer. Key fields hold either a base64 key or a deploy-time reference (an Ansible env
 * lookup), never a literal private key in the repository. Parsed back by `wireguard-parse.ts`.
 */

export interface WireguardInterface {
  /** Private key of this end: a deploy-time reference, e.g. envRef('WG_SERVER_PRIVATE_KEY'). */
  readonly privateKey: string;
  /** wg-quick addresses (CIDR). @default - none */
  readonly address?: readonly string[];
  /** UDP port to listen on. @default - a random port (clients) */
  readonly listenPort?: number;
  /** DNS servers wg-quick sets while the tunnel is up. @default - none */
  readonly dns?: readonly string[];
  /** @default - wg-quick's default */
  readonly mtu?: number;
  /** Commands wg-quick runs after bringing the interface up / down. @default - none */
  readonly postUp?: readonly string[];
  readonly postDown?: readonly string[];
}

export interface WireguardPeer {
  /** Shown as a comment above the section. */
  readonly name: string;
  /** The peer's public key, or a deploy-time reference. */
  readonly publicKey: string;
  /**
   * The pair's preshared key, a deploy-time reference (envRef). Optional here, but every rendered
   * peer needs one: the rule split-tunnel reports a [Peer] without it (PeerWithoutPresharedKey).
   * @default - none
   */
  readonly presharedKey?: string;
  /** Routed to this peer (server side) or through the tunnel (client side). */
  readonly allowedIps: readonly string[];
  /** `host:port`. @default - none (the peer connects to us) */
  readonly endpoint?: string;
  /** Seconds. @default - off */
  readonly persistentKeepalive?: number;
}

export interface WireguardConfig {
  readonly interface: WireguardInterface;
  readonly peers: readonly WireguardPeer[];
}

/** Renders a wg-quick configuration; `header` lines become `#` comments at the top. */
export function wireguardConfig(config: WireguardConfig, header: readonly string[] = []): string {
  const lines: string[] = header.map((l) => `# ${l}`);
  if (lines.length) lines.push('');
  const i = config.interface;
  lines.push('[Interface]');
  if (i.address?.length) lines.push(`Address = ${i.address.join(', ')}`);
  if (i.listenPort !== undefined) lines.push(`ListenPort = ${i.listenPort}`);
  lines.push(`PrivateKey = ${i.privateKey}`);
  if (i.dns?.length) lines.push(`DNS = ${i.dns.join(', ')}`);
  if (i.mtu !== undefined) lines.push(`MTU = ${i.mtu}`);
  for (const c of i.postUp ?? []) lines.push(`PostUp = ${c}`);
  for (const c of i.postDown ?? []) lines.push(`PostDown = ${c}`);
  for (const p of config.peers) {
    lines.push('', `# ${p.name}`, '[Peer]', `PublicKey = ${p.publicKey}`);
    if (p.presharedKey !== undefined) lines.push(`PresharedKey = ${p.presharedKey}`);
    lines.push(`AllowedIPs = ${p.allowedIps.join(', ')}`);
    if (p.endpoint !== undefined) lines.push(`Endpoint = ${p.endpoint}`);
    if (p.persistentKeepalive !== undefined) lines.push(`PersistentKeepalive = ${p.persistentKeepalive}`);
  }
  return `${lines.join('\n')}\n`;
}
