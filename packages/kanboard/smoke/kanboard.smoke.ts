/**
 * Smoke tests of kanboard against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('kanboard')!;

describeSmoke('kanboard', [
  ...serviceSmokeRows(home, service),
  { kind: 'forward-auth', url: 'https://kanboard.woodhead.tech/', authHost: 'auth.woodhead.tech', title: 'Kanboard redirects an anonymous visitor to Authentik' },
]);
