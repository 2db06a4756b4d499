/**
 * Smoke tests of klipper-1 against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('klipper-1')!;

describeSmoke('klipper-1', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: service.ip!, port: 7125, title: 'Moonraker listens on klipper-1' },
]);
