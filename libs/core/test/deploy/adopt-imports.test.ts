/**
 * Deploy and `homelab adopt --write`: the import blocks in the state directory are copied beside
 * cdk.tf.json in the run directory, so the plan sees them; after the service deployed they are in
 * the state and the file goes; after a failure it stays for the next try. dist/ never holds them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADOPT_RUN_FILE, EXIT, adoptImportsPath, deployServices, importDocument, readAdoptImports, writeAdoptImports } from '../../src/index.ts';
import { fakeSpawner, fakeTools, sinks, tempDir, unitOf } from './helpers.ts';

const ENV = { PATH: '/fake/bin', PROXMOX_VE_ENDPOINT: 'https://pve.invalid:8006', PROXMOX_VE_API_TOKEN: 'x' };
const BLOCKS = [{ to: 'proxmox_virtual_environment_container.proxy', id: 'n1/100' }];

function setup() {
  const root = tempDir();
  const stateDir = join(root, 'state');
  const out = sinks();
  return { root, stateDir, out, options: { root, stateDir, env: ENV, siteName: 'test-lab', findExecutable: fakeTools(), out: out.out, err: out.err, yes: true } };
}

describe('adopted guests in deploy', () => {
  it('the plan runs with the import blocks beside cdk.tf.json; after the deploy the file is gone, and dist/ never had it', async () => {
    const { root, stateDir, out, options } = setup();
    await writeAdoptImports(stateDir, 'proxy', BLOCKS);
    const seen: string[] = [];
    const fake = fakeSpawner((call) => {
      if (call.args[0] === 'plan') seen.push(readdirSync(call.cwd).sort().join(','), readFileSync(join(call.cwd, ADOPT_RUN_FILE), 'utf8'));
      return undefined;
    });
    const unit = unitOf(root, 'proxy');
    const summary = await deployServices([unit], { ...options, spawner: fake.spawner });
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(seen).toEqual([`cdk.tf.json,${ADOPT_RUN_FILE}`, importDocument(BLOCKS)]);
    expect(out.lines.some((l) => l.startsWith('[proxy] infra: importing the guests `homelab adopt` matched'))).toBe(true);
    expect(existsSync(adoptImportsPath(stateDir, 'proxy'))).toBe(false);
    expect(readdirSync(join(unit.distDir, 'terraform'))).toEqual(['cdk.tf.json']);
  });

  it('a failed plan keeps the file for the next deploy', async () => {
    const { root, stateDir, options } = setup();
    await writeAdoptImports(stateDir, 'proxy', BLOCKS);
    const fake = fakeSpawner((call) => (call.args[0] === 'plan' ? { exitCode: 1, stderr: 'Error: Cannot import non-existent remote object' } : undefined));
    const summary = await deployServices([unitOf(root, 'proxy')], { ...options, spawner: fake.spawner });
    expect(summary.exitCode).toBe(EXIT.failed);
    expect(await readAdoptImports(stateDir, 'proxy')).toEqual([{ id: 'n1/100', to: 'proxmox_virtual_environment_container.proxy' }]);
  });

  it('without adopt, the run directory holds what dist/ holds and nothing else', async () => {
    const { root, options } = setup();
    const seen: string[] = [];
    const fake = fakeSpawner((call) => { if (call.args[0] === 'plan') seen.push(readdirSync(call.cwd).join(',')); return undefined; });
    await deployServices([unitOf(root, 'proxy')], { ...options, spawner: fake.spawner });
    expect(seen).toEqual(['cdk.tf.json']);
  });

  it('--dry-run says the plan would import them, copies nothing and leaves the file', async () => {
    const { root, stateDir, out, options } = setup();
    await writeAdoptImports(stateDir, 'proxy', BLOCKS);
    const fake = fakeSpawner();
    const summary = await deployServices([unitOf(root, 'proxy'), unitOf(root, 'idp')], { ...options, dryRun: true, spawner: fake.spawner });
    expect(summary.exitCode).toBe(EXIT.ok);
    expect(out.lines).toContain(`[proxy] with: the import blocks of \`homelab adopt\` (${adoptImportsPath(stateDir, 'proxy')}), copied beside cdk.tf.json: the plan imports those guests`);
    expect(out.lines.filter((l) => l.includes('homelab adopt'))).toHaveLength(1);
    expect(fake.argv()).toEqual([]);
    expect(existsSync(join(stateDir, 'runs'))).toBe(false);
    expect(await readAdoptImports(stateDir, 'proxy')).toHaveLength(1);
  });

  it('the document is the same bytes for the same blocks in any order', () => {
    const two = [{ to: 'b.x', id: 'n1/2' }, { to: 'a.x', id: 'n1/1' }];
    expect(importDocument(two)).toBe(importDocument([...two].reverse()));
    expect(JSON.parse(importDocument(two)).import.map((b: { to: string }) => b.to)).toEqual(['a.x', 'b.x']);
  });
});
