/**
 * Smoke tests of jellyfin against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('jellyfin')!;

describeSmoke('jellyfin', [
  ...serviceSmokeRows(home, service),
  { kind: 'https', url: 'http://192.168.86.24:8096/health', expectStatus: 200, title: 'jellyfin answers on the LAN at 192.168.86.24:8096/health' },
]);
