/**
 * Errors at their root cause, through the real CLI on a throwaway second homelab
 * (site/second-homelab-workspace.ts): a package that throws while it loads is reported once,
 * with the dependents whose "no service is named" it explains, instead of as N unrelated errors.
 */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { homelab, STACK_FRAME } from './run-homelab.ts';
import { createSecondHomelab } from '../site/second-homelab-workspace.ts';

describe('homelab synth: a package that does not load', () => {
  it('is one PackageDoesNotLoad naming the package, its file, the error and the dependents it absorbs', async () => {
    const ws = createSecondHomelab();
    appendFileSync(join(ws, 'packages', 'authentik', 'src', 'index.ts'), "\nthrow new Error('the outpost list is undefined');\n");
    const run = await homelab(['synth', '--root', ws], { env: { HOMELAB_SITE: join(ws, 'site.ts') } });
    expect(run.code).toBe(1);
    const out = run.stdout + run.stderr;
    expect(out).not.toMatch(STACK_FRAME);
    const lines = readFileSync(join(ws, 'packages', 'authentik', 'src', 'index.ts'), 'utf8').split('\n');
    const thrown = lines.findIndex((l) => l.includes('the outpost list is undefined')) + 1;
    expect(out).toContain(`packages/authentik (1 problem)\n  error PackageDoesNotLoad at src/index.ts:${thrown}\n`);
    expect(out).toContain('the package failed to load: the outpost list is undefined');
    // bookshelf and kanboard depend on authentik: their UnknownDependency is the same root cause.
    expect(out).toContain('packages/bookshelf (dependsOn[0]: UnknownDependency), packages/kanboard (dependsOn[0]: UnknownDependency)');
    expect(out).toContain(`fix: Fix the error at packages/authentik/src/index.ts:${thrown}`);
    expect(out).not.toContain('error UnknownDependency');
    expect(out).not.toContain('packages/bookshelf (1 problem)');
    expect(out).toContain('nothing was written');
  }, 120_000);
});

describe('homelab synth: a site whose shape is wrong', () => {
  it('reports the shape error and an unrelated policy error in one round, and names the checks it skipped', async () => {
    const ws = createSecondHomelab();
    const siteFile = join(ws, 'site.ts');
    writeFileSync(siteFile, readFileSync(siteFile, 'utf8').replace("overcommit: { cpu: 4, memory: 1.5 }", "overcommit: { cpu: '4', memory: 1.5 } as never"));
    const bookshelf = join(ws, 'packages', 'bookshelf', 'src', 'index.ts');
    writeFileSync(bookshelf, readFileSync(bookshelf, 'utf8').replace("auth: 'authentik', admin: false", "auth: 'none'"));
    const run = await homelab(['synth', '--root', ws], { env: { HOMELAB_SITE: siteFile } });
    const out = run.stdout + run.stderr;
    expect(run.code).toBe(1);
    expect(out).not.toMatch(STACK_FRAME);
    expect(out).toMatch(/error InvalidSite at overcommit\.cpu\n\s+overcommit\.cpu must be a number\n\s+received: "4"\n\s+fix: Set overcommit\.cpu to a number/);
    expect(out).toContain('error AdminRouteWithoutAuth at routes[0].auth');
    expect(out).toMatch(/warning SiteChecksSkipped at overcommit\n\s+the site field overcommit does not have the shape the model needs .*capacity \(reads overcommit\)/);
    expect(out).toContain('nothing was written');
  }, 120_000);
});

describe('homelab synth: two nodes with one name', () => {
  it('is one DuplicateNodeName naming both entries and the name the copy lost; nothing is rendered', async () => {
    const ws = createSecondHomelab();
    const siteFile = join(ws, 'site.ts');
    // A copied node entry that was not renamed: birch becomes a second alder; authentik stays on birch.
    writeFileSync(siteFile, readFileSync(siteFile, 'utf8').replace("{ name: 'birch'", "{ name: 'alder'"));
    const run = await homelab(['synth', '--root', ws], { env: { HOMELAB_SITE: siteFile } });
    const out = run.stdout + run.stderr;
    expect(run.code).toBe(1);
    expect(out).not.toMatch(STACK_FRAME);
    expect(out).toContain('libs/site (1 problem)\n  error DuplicateNodeName at nodes[1].name');
    expect(out).toContain('"alder" is the name of both nodes[0] (10.42.8.11, Intel NUC 12) and nodes[1] (10.42.8.12, Intel NUC 12)');
    expect(out).toContain('The site also names "birch", which no node has (packages/authentik (placement); not listed separately)');
    expect(out).toContain('fix: Give nodes[1] its own name (it is usually a copied entry that was not renamed; the site still expects "birch").');
    // No follow-ons: neither the lost node nor a rendered file that would land on it.
    expect(out).not.toContain('UnknownNode');
    expect(out).not.toContain('UnknownFileHost');
    expect(out).toContain('synth: 1 error; nothing was written.');
  }, 120_000);
});
