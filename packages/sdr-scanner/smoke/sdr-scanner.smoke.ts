/**
 * Smoke tests of sdr-scanner against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('sdr-scanner')!;

describeSmoke('sdr-scanner', [
  ...serviceSmokeRows(home, service),
  { kind: 'https', url: `http://${service.ip}:3000/`, expectStatus: 200, title: 'rdio-scanner serves its web app on the LAN' },
]);
