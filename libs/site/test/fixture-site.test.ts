/**
 * Core's fixture site is what package tests assert against: it must carry every package of this
 * catalog without a problem, and share no value with this site, so that a package test cannot pass
 * by a literal of this homelab.
 */
import { describe, expect, it } from 'vitest';
import { fixtureSite, synthesizeWorkspace } from '@homelab/core/testing';
import { occurrences, stringsOfThisSite } from '../../../tools/homelab/test/site/this-site-strings.ts';
import { WORKSPACE_ROOT } from '../src/synthesize.ts';

const all = await synthesizeWorkspace(fixtureSite, WORKSPACE_ROOT);

describe('the core fixture site', () => {
  it('synthesizes every package of the workspace with no problem', () => {
    expect(all.problems.map((p) => `${p.source} ${p.path} ${p.code}: ${p.message}`)).toEqual([]);
    expect(all.results.map((r) => r.service).sort()).toEqual(all.home.services.map((s) => s.name).sort());
    expect(all.results.length).toBeGreaterThan(20);
  });

  it('writes no string of this site', () => {
    const files = all.results.flatMap((r) => [...r.files].map(([path, content]): [string, string] => [`${r.service}/${path}`, content]));
    // Known and left to the monitoring package: its promtool test series label made-up nodes
    // pve1..pve3 (packages/monitoring/src/alerts.ts), which happen to be this site's node names.
    const known = ['pve1', 'pve2', 'pve3'].map((n) => `monitoring/files/monitoring/opt/stacks/monitoring/prometheus/tests/homelab.test.yml: ${n}`);
    expect(occurrences(files, stringsOfThisSite({ withProvider: false })).filter((o) => !known.includes(o))).toEqual([]);
  });
});
