/**
 * The smoke rows a service's declarations imply: for every route, HTTPS answers through Traefik
 * (or redirects to Authentik when protected), plain HTTP redirects to HTTPS, and the certificate
 * covers the name; every declared TCP port accepts connections. A package adds its own rows.
 */
import type { Homelab } from '../model/homelab.ts';
import type { NormalizedService } from '../model/service.ts';
import type { SmokeRow } from './smoke-rows.ts';

export function serviceSmokeRows(home: Homelab, service: NormalizedService): SmokeRow[] {
  const identity = home.services.find((s) => s.provides.includes('identity'));
  const authHost = identity?.routes[0]?.fqdn;
  const rows: SmokeRow[] = [];
  for (const route of service.routes) {
    const url = `https://${route.fqdn}${route.probePath}`;
    if (route.auth === 'authentik' && authHost) rows.push({ kind: 'forward-auth', url, authHost });
    else rows.push({ kind: 'https', url, expectStatus: [200, 301, 302, 303, 307, 308, 401] });
    rows.push({ kind: 'redirect', url: `http://${route.fqdn}${route.probePath}` });
    rows.push({ kind: 'tls', host: route.fqdn, name: route.fqdn, minDays: 14 });
  }
  const address = service.ip;
  if (address && service.kind !== 'none') {
    for (const port of service.ports.filter((p) => p.protocol === 'tcp')) {
      rows.push({ kind: 'tcp', host: address, port: port.port, title: `${service.name} ${port.description} (${address}:${port.port}/tcp)` });
    }
  }
  return rows;
}
