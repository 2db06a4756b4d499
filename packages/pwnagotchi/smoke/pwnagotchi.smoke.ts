/**
 * Smoke tests of pwnagotchi against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('pwnagotchi')!;

describeSmoke('pwnagotchi', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: service.ip!, port: 22, title: 'the Pwnagotchi VM accepts SSH (cloud-init ran)' },
]);
