/**
 * Smoke tests of arr against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';
import { EXPORTERS } from '../src/index.ts';

const { home } = await synthesizeThisSite();
const service = home.byName.get('arr')!;

describeSmoke('arr', [
  ...serviceSmokeRows(home, service),
  // exportarr-sabnzbd only has numbers when SABnzbd answers inside Gluetun's namespace.
  { kind: 'https', url: `http://${service.ip}:${EXPORTERS.sabnzbd}/metrics`, expectStatus: 200, expectBody: 'sabnzbd_', title: 'SABnzbd answers through Gluetun (exportarr-sabnzbd has metrics)' },
  { kind: 'https', url: `http://${service.ip}:${EXPORTERS.sonarr}/metrics`, expectStatus: 200, expectBody: 'sonarr_', title: 'exportarr reads Sonarr' },
]);
