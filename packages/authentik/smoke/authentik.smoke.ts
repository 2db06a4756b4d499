/**
 * Smoke tests of authentik against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('authentik')!;

describeSmoke('authentik', [
  ...serviceSmokeRows(home, service),
  { kind: 'https', url: 'https://auth.woodhead.tech/-/health/ready/', expectStatus: 200, title: 'authentik reports ready (PostgreSQL and Redis reachable)' },
]);
