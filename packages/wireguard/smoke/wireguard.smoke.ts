/**
 * Smoke tests of wireguard against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md. WireGuard answers no unauthenticated packet,
 * so UDP 51820 cannot be probed from outside; the rows check the host and its SSH port.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('wireguard')!;

describeSmoke('wireguard', [
  ...serviceSmokeRows(home, service),
  { kind: 'tcp', host: service.ip!, port: 22, title: 'the WireGuard LXC is up (SSH; also the jump host for the tunnel)' },
]);
