/**
 * What only a bug reaches: "internal error", exit 70, and the stack trace only when asked for
 * with HOMELAB_DEBUG=1. The "bug" is a site object whose every property read throws.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { STACK_FRAME, homelab } from './run-homelab.ts';

const dir = mkdtempSync(join(tmpdir(), 'homelab-throwing-site-'));
const siteModule = join(dir, 'site.mjs');
writeFileSync(siteModule, "export default new Proxy({}, { get() { throw new TypeError('a property read that throws'); } });\n");

describe('homelab: an internal error', { timeout: 120_000 }, () => {
  it('exit 70 with the message and how to get the stack; no stack trace', async () => {
    const r = await homelab(['assumptions'], { env: { HOMELAB_SITE: siteModule } });
    expect(r.code, r.stderr).toBe(EXIT.internal);
    expect(r.stderr).toContain('homelab: internal error: a property read that throws');
    expect(r.stderr).toContain('fix: rerun with HOMELAB_DEBUG=1 for the stack trace and report it');
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('HOMELAB_DEBUG=1: the stack trace too', async () => {
    const r = await homelab(['assumptions'], { env: { HOMELAB_SITE: siteModule, HOMELAB_DEBUG: '1' } });
    expect(r.code, r.stderr).toBe(EXIT.internal);
    expect(r.stderr).toMatch(STACK_FRAME);
    expect(r.stderr).toContain(siteModule);
  });
});
