/**
 * Smoke tests of mailcow against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('mailcow')!;

describeSmoke('mailcow', [
  ...serviceSmokeRows(home, service),
  { kind: 'https', url: 'https://mail.woodhead.tech/SOGo/', expectStatus: [200, 302], title: 'webmail answers with its own login' },
]);
