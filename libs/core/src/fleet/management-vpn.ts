/**
 * The management VPN: the service(s) that terminate the site's remote-management tunnel. The
 * site declares the tunnel (`site.wireguard`: subnet, UDP port, endpoint); the service that
 * listens on that UDP port is its server. Stopping it cuts every remote session that came in
 * through it, and it can then only be started again from the LAN: `group stop` asks first.
 */
import type { Homelab } from '../model/homelab.ts';

/** Names of the services listening on the site's WireGuard port (UDP), sorted. */
export function managementVpnServices(home: Homelab): string[] {
  const port = home.site.wireguard?.port;
  if (!port) return [];
  return home.services.filter((s) => s.ports.some((p) => p.port === port && p.protocol === 'udp')).map((s) => s.name).sort();
}
