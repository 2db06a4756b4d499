import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { insertPlanEntry } from '../../src/generators/service/address-plan-source.ts';

const plan = [
  "export const ADDRESS_PLAN = {",
  "  traefik: { node: 'pve1', vmid: 200, ip: '192.0.2.20' },",
  "  'recipe-site': { node: 'pve3', vmid: 201, ip: '192.0.2.21' }, // a comment",
  "  arr: { node: 'pve2', vmid: 205, ip: '192.0.2.25' },",
  "};",
  "",
].join('\n');
const keys = ['traefik', 'recipe-site', 'arr'];

describe('insertPlanEntry', () => {
  it('adds the entry after the next lower VMID, in the file\'s quotes and indentation', () => {
    const out = insertPlanEntry([{ path: 'site/plan.ts', text: plan }], keys, 'new-one', { node: 'pve2', vmid: 202, ip: '192.0.2.22' });
    expect(out?.path).toBe('site/plan.ts');
    expect(out?.text.split('\n').slice(2, 4)).toEqual([
      "  'recipe-site': { node: 'pve3', vmid: 201, ip: '192.0.2.21' }, // a comment",
      "  'new-one': { node: 'pve2', vmid: 202, ip: '192.0.2.22' },",
    ]);
    // Nothing else changes.
    expect(out?.text.replace("  'new-one': { node: 'pve2', vmid: 202, ip: '192.0.2.22' },\n", '')).toBe(plan);
  });

  it('puts a VMID below all others first', () => {
    const out = insertPlanEntry([{ path: 'p.ts', text: plan }], keys, 'low', { node: 'pve1', vmid: 100, ip: '192.0.2.10' });
    expect(out?.text.split('\n')[1]).toBe("  low: { node: 'pve1', vmid: 100, ip: '192.0.2.10' },");
  });

  it('finds no plan in a file without an object literal of the plan\'s keys', () => {
    expect(insertPlanEntry([{ path: 'p.ts', text: 'export const X = { other: 1 };\n' }], keys, 'x', { node: 'pve1', vmid: 1, ip: '192.0.2.1' })).toBeUndefined();
  });

  it('finds the plan in this site\'s address-plan source', () => {
    const text = readFileSync(new URL('../../../../libs/site/src/address-plan.ts', import.meta.url), 'utf-8');
    // Every key of the plan, as the generator passes them from the loaded site.
    const planKeys = [...text.matchAll(/^  '?([a-z][a-z0-9-]*)'?: \{ (?:node|host):/gm)].map((m) => m[1]!);
    expect(planKeys).toContain('traefik');
    const out = insertPlanEntry([{ path: 'address-plan.ts', text }], planKeys, 'zz-new', { node: 'pve1', vmid: 201, ip: '192.168.86.99' });
    expect(out?.text).toContain("  traefik: { node: 'pve1', vmid: 200, ip: '192.168.86.20' },\n  'zz-new': { node: 'pve1', vmid: 201, ip: '192.168.86.99' },\n");
  });
});
