/**
 * The scale bench measures a homelab only if the synthetic one is sound: every service loads,
 * passes the policy rules and synthesizes, placed within the nodes' capacity, as a tree.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isError, loadHomelab, synthesizeSite, type Site } from '@homelab/core';
import { createScaleWorkspace, parentOf, serviceName } from '../../src/bench/scale-workspace.ts';

const REPO = join(import.meta.dirname, '../../../..');
const made: string[] = [];
afterAll(() => { for (const ws of made) rmSync(ws, { recursive: true, force: true }); });

describe('the scale bench\'s synthetic homelab', () => {
  it('241 services over 4 nodes (past one /24 of addresses): no problem, every service synthesized, each depending on its parent', async () => {
    const ws = createScaleWorkspace(REPO, 241);
    made.push(ws);
    const { site } = (await import(pathToFileURL(join(ws, 'site.ts')).href)) as { site: Site };
    expect(site.nodes.map((n) => n.name)).toEqual(['n1', 'n2', 'n3', 'n4']);
    const home = await loadHomelab(ws, site);
    expect(home.problems.filter(isError)).toEqual([]);
    const synth = synthesizeSite(home);
    expect(synth.problems.filter(isError)).toEqual([]);
    expect(synth.results).toHaveLength(241);
    const svc = home.byName.get(serviceName(240))!;
    expect(svc.dependsOn).toEqual([serviceName(parentOf(240)!)]);
    expect(svc.ip).toBe('10.30.2.50');
  }, 120_000);
});
