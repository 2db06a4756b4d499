/**
 * The real service generator on a workspace on disk: a made-up site (libs/site) with its own
 * groups and address plan, read in the tsx child as the CLI reads it; the entry the generator
 * writes is read back by loading the site again.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { logger } from '@nx/devkit';
import { flushChanges, FsTree } from 'nx/src/generators/tree';
import { serviceGenerator, ServiceGeneratorError, type ServiceGeneratorSchema } from '../../src/generators/service/generator.ts';
import { siteFactsInChild } from '../../src/generators/service/site-facts.ts';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const fixtures = join(repo, 'libs/core/test/fixtures/test-site.ts');
const PLAN = [
  "import type { Placement } from '@homelab/core';",
  '',
  'export const PLAN: Readonly<Record<string, Placement>> = {',
  "  proxy: { node: 'n1', vmid: 100, ip: '10.20.0.20' },",
  "  idp: { node: 'n1', vmid: 101, ip: '10.20.0.21' },",
  "  app: { node: 'n2', vmid: 102, ip: '10.20.0.22' },",
  "  vm: { node: 'n2', vmid: 103, ip: '10.20.0.23' },",
  "  pi: { host: 'pi1', ip: '10.20.0.50' },",
  '};',
  '',
].join('\n');

let root: string;
const write = (rel: string, content: string) => {
  mkdirSync(dirname(join(root, rel)), { recursive: true });
  writeFileSync(join(root, rel), content);
};

beforeEach(() => {
  vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  root = mkdtempSync(join(tmpdir(), 'homelab-add-service-'));
  write('package.json', JSON.stringify({ name: 'fixture-homelab', private: true, type: 'module', workspaces: ['packages/*'] }));
  write('nx.json', '{}');
  write('libs/site/src/address-plan.ts', PLAN);
  write('libs/site/src/index.ts', `import { testSite } from ${JSON.stringify(fixtures)};\nimport { PLAN } from './address-plan.ts';\n\nexport default { ...testSite, addressPlan: PLAN };\n`);
  for (const svc of ['proxy', 'idp', 'app']) {
    write(`packages/${svc}/package.json`, JSON.stringify({ name: `@fx/${svc}`, version: '0.1.0', type: 'module' }));
    write(`packages/${svc}/src/index.ts`, `export { ${svc} as default } from ${JSON.stringify(fixtures)};\n`);
  }
});
afterEach(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

async function generate(options: Partial<ServiceGeneratorSchema>): Promise<FsTree> {
  const tree = new FsTree(root, false);
  await serviceGenerator(tree, { name: 'fresh', kind: 'lxc', group: 'apps', skipInstall: true, ...options });
  return tree;
}

describe('nx g service on a workspace with its own site', () => {
  it('writes the next free VMID and IP of an LXC into the site, in the file\'s order and style, and the site reads it back', async () => {
    const tree = await generate({});
    // LXCs end at VMID 102 and .22; 103 and .23 are the VM's, so the next free are 104 and .24.
    expect(tree.read('libs/site/src/address-plan.ts', 'utf-8')).toBe(PLAN.replace(
      "  vm: { node: 'n2', vmid: 103, ip: '10.20.0.23' },\n",
      "  vm: { node: 'n2', vmid: 103, ip: '10.20.0.23' },\n  fresh: { node: 'n1', vmid: 104, ip: '10.20.0.24' },\n",
    ));
    flushChanges(root, tree.listChanges());
    expect(siteFactsInChild(root).addressPlan['fresh']).toEqual({ node: 'n1', vmid: 104, ip: '10.20.0.24' });
    // The next one counts the first: 105 and .25.
    const second = await generate({ name: 'second', node: 'n2' });
    expect(second.read('libs/site/src/address-plan.ts', 'utf-8')).toContain("  fresh: { node: 'n1', vmid: 104, ip: '10.20.0.24' },\n  second: { node: 'n2', vmid: 105, ip: '10.20.0.25' },\n");
  }, 60_000);

  it('takes --node, --vmid and --ip as given', async () => {
    const tree = await generate({ name: 'my-app', node: 'n2', vmid: 150, ip: '10.20.0.90' });
    expect(tree.read('libs/site/src/address-plan.ts', 'utf-8')).toContain("  vm: { node: 'n2', vmid: 103, ip: '10.20.0.23' },\n  'my-app': { node: 'n2', vmid: 150, ip: '10.20.0.90' },\n  pi:");
  }, 60_000);

  it('refuses a taken VMID, a taken IP and an unknown node, naming what holds them, and writes nothing', async () => {
    const tree = new FsTree(root, false);
    const error = await serviceGenerator(tree, { name: 'fresh', group: 'apps', skipInstall: true, node: 'n9', vmid: 102, ip: '10.20.0.50' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServiceGeneratorError);
    expect((error as Error).message).toBe([
      'Cannot generate service "fresh": 3 problems',
      '  - node: UnknownNode: "n9" is not one of the site\'s nodes. Use one of: n1, n2.',
      '  - vmid: VmidTaken: VMID 102 is taken by "app" in the site\'s address plan. Leave --vmid out to take the next free one, or pick one no entry has.',
      '  - ip: IpTaken: 10.20.0.50 is taken by "pi" in the site\'s address plan. Leave --ip out to take the next free one, or pick one nothing uses.',
    ].join('\n'));
    expect(tree.listChanges()).toEqual([]);
  }, 60_000);

  it('refuses a group the site does not have, listing the site\'s groups', async () => {
    const error = await generate({ group: 'media' }).catch((e: unknown) => e);
    expect((error as ServiceGeneratorError).problems).toEqual([
      { option: 'group', code: 'InvalidGroup', message: '"media" is not one of the site\'s groups.', fix: 'Use one of core, apps, special.' },
    ]);
  }, 60_000);

  it('accepts a group only this site has', async () => {
    const tree = await generate({ group: 'special' });
    expect(JSON.parse(tree.read('packages/fresh/package.json', 'utf-8')!).homelab).toEqual({ group: 'special', layer: 'apps' });
  }, 60_000);
});
