/**
 * Smoke tests of recipe-site against the live homelab. Skipped (with the reason) unless
 * HOMELAB_SMOKE_TARGET is set; see docs/smoke.md.
 */
import { serviceSmokeRows } from '@homelab/core/smoke';
import { describeSmoke } from '@homelab/core/smoke-table';
import { synthesizeThisSite } from '@homelab/site/testing';

const { home } = await synthesizeThisSite();
const service = home.byName.get('recipe-site')!;

describeSmoke('recipe-site', [
  ...serviceSmokeRows(home, service),
  // Public: the front page answers 200 with no login, gzip-compressed when asked.
  { kind: 'https', url: 'https://recipes.woodhead.tech/', expectStatus: 200, title: 'the recipe site is public (200 without a login)' },
]);
