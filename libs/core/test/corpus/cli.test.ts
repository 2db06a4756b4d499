/**
 * The bad-input corpus at the process boundary: `homelab synth` on a broken site module exits 1
 * with every problem grouped by package, readable in a terminal, and no stack trace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REAL_SITE_URL, STACK_FRAME, synthWithSite } from '../fixtures/synth-with-site.ts';

const dir = mkdtempSync(join(tmpdir(), 'homelab-broken-site-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const synthWith = (name: string, source: string) => synthWithSite(dir, name, source);
const realSite = REAL_SITE_URL;

describe('homelab synth on a broken site (end to end)', () => {
  it('a site that breaks several packages: exit 1, problems grouped by package, no stack trace', () => {
    const { status, output } = synthWith('broken-site.mjs', `
import { site } from ${JSON.stringify(realSite)};
const { arr: _dropped, ...addressPlan } = site.addressPlan;
export default {
  ...site,
  addressPlan,
  wireguard: { ...site.wireguard, subnet: '192.168.86.0/25' },
  dns: { ...site.dns, records: site.dns.records.filter((r) => !r.name.startsWith('*.')) },
};
`);
    expect(status, output).toBe(1);
    expect(output).toMatch(/^packages\/arr \(\d+ problems?\)$/m);
    expect(output).toMatch(/^libs\/site \(\d+ problems?\)$/m);
    expect(output).toMatch(/^ {2}error UnknownPlacement at placement$/m);
    expect(output).toMatch(/^ {2}error TunnelOverlapsLan at wireguard\.subnet$/m);
    expect(output).toMatch(/^ {2}error MissingDnsRecord at dns\.records$/m);
    expect(output).toMatch(/^ {6}fix: .+\.$/m);
    expect(output).toContain('nothing was written');
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain('internal error');
  }, 300_000);

  it('a module that exports something that is not a site: exit 1, InvalidSite under libs/site, no stack trace', () => {
    const { status, output } = synthWith('not-a-site.mjs', 'export default { name: "half a site", nodes: "pve1" };\n');
    expect(status, output).toBe(1);
    expect(output).toMatch(/^libs\/site \(\d+ problems\)$/m);
    expect(output).toMatch(/^ {2}error InvalidSite at nodes$/m);
    expect(output).not.toMatch(STACK_FRAME);
  }, 300_000);

  it('a site module that does not even load: exit 1, one message naming the module and the error, no stack trace', () => {
    const { status, output } = synthWith('syntax-error.ts', 'export default (;\n');
    expect(status, output).toBe(1);
    expect(output).toMatch(/homelab: \S*syntax-error\.ts: the site module does not load: .*Unexpected/);
    expect(output).not.toMatch(STACK_FRAME);
    expect(output).not.toContain('internal error');
  }, 300_000);
});
