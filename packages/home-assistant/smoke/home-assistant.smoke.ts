/**
 * Smoke tests of home-assistant against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('home-assistant')!;

describeSmoke('home-assistant', [
  ...serviceSmokeRows(home, service),
  // 200 through Traefik only once HA trusts Traefik as a proxy (README, step 2); 400 before that.
  { kind: 'https', url: 'https://ha.woodhead.tech/manifest.json', expectStatus: 200, title: 'HA answers through Traefik (trusted_proxies set)' },
]);
