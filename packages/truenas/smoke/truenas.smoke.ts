/**
 * Smoke tests of truenas against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('truenas')!;

// The route (forward-auth redirect, HTTP→HTTPS, certificate) and the UI and NFS ports.
describeSmoke('truenas', serviceSmokeRows(home, service));
