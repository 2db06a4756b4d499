/**
 * A machine that is not set up (here: no usable schemas folder) is told so with exit 4
 * (EXIT.setup) and a fix line, never "internal error", through the installed bin.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { STACK_FRAME, homelab, type HomelabRun } from './run-homelab.ts';

function expectSetupError(r: HomelabRun, ...mentions: string[]): void {
  expect(r.code, r.stderr).toBe(EXIT.setup);
  expect(r.stderr).not.toMatch(STACK_FRAME);
  expect(r.stderr).not.toContain('internal error');
  expect(r.stderr).toMatch(/fix: /i);
  for (const m of mentions) expect(r.stderr).toContain(m);
}

describe('homelab: a missing or broken schemas folder is a setup error', { timeout: 180_000 }, () => {
  it('HOMELAB_SCHEMAS_DIR naming a directory that does not exist: exit 4, the directory and the fix', async () => {
    const nowhere = join(tmpdir(), `homelab-no-schemas-${process.pid}`);
    const r = await homelab(['validate', '--service', 'traefik'], { env: { HOMELAB_SCHEMAS_DIR: nowhere, HOMELAB_VALIDATE_CACHE: 'off' } });
    expectSetupError(r, nowhere, 'HOMELAB_SCHEMAS_DIR names a directory that does not exist');
  });

  it('a folder without the schema files: exit 4, every missing file named', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'homelab-empty-schemas-'));
    writeFileSync(join(empty, 'traefik-v3-static.schema.json'), '{}');
    const r = await homelab(['validate', '--service', 'traefik'], { env: { HOMELAB_SCHEMAS_DIR: empty, HOMELAB_VALIDATE_CACHE: 'off' } });
    expectSetupError(r, 'bpg-proxmox-v0.111.1.tf-json.schema.json', 'traefik-v3-file-provider.schema.json');
  });
});
