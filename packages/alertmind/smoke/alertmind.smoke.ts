/**
 * Smoke tests of alertmind against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('alertmind')!;

describeSmoke('alertmind', [
  // The webhook port answers (Alertmanager → AlertMind on the same LXC).
  ...serviceSmokeRows(home, service),
]);
