/**
 * Smoke tests of openclaw against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('openclaw')!;

describeSmoke('openclaw', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: service.ip!, port: 22, title: 'openclaw LXC is up (SSH)' },
]);
