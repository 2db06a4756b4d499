/**
 * Smoke tests of dns against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('dns')!;
const proxied = home.site.dns.records.filter((r) => r.proxied).map((r) => r.name);

describeSmoke('dns', [
  ...serviceSmokeRows(home, service),
  // The proxied names answer through Cloudflare (Pages); the DNS-only wildcard is covered by every
  // route's own smoke rows, the VPN endpoint by wireguard's.
  ...proxied.map((name) => ({ kind: 'https' as const, url: `https://${name}/`, expectStatus: [200, 301, 302, 308], title: `${name} is served through Cloudflare` })),
  ...proxied.map((name) => ({ kind: 'tls' as const, host: name, name, minDays: 7 })),
]);
