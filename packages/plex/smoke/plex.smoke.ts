/**
 * Smoke tests of plex against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('plex')!;

describeSmoke('plex', [
  ...serviceSmokeRows(home, service),
  { kind: 'https', url: 'http://192.168.86.23:32400/identity', expectStatus: 200, title: 'plex answers on the LAN at 192.168.86.23:32400/identity' },
]);
