/**
 * How many services `homelab deploy` runs at once: --parallel (a whole number >= 1), else the
 * site's deploy.parallelism, else 4; in a terminal that asks (no --yes) without --parallel, 1.
 */
import { describe, expect, it } from 'vitest';
import { DEPLOY_PARALLELISM } from '@homelab/core';
import { deployCommandDefinition } from '../../src/cli/deploy-command.ts';
import { deployParallelism, type DeployFlags } from '../../src/commands/deploy.ts';

async function parse(args: string[]): Promise<{ flags?: DeployFlags; error?: string }> {
  let flags: DeployFlags | undefined;
  let error = '';
  const command = deployCommandDefinition(async (f) => { flags = f; })
    .exitOverride()
    .configureOutput({ writeErr: (s) => { error += s; }, writeOut: () => undefined });
  try {
    await command.parseAsync(args, { from: 'user' });
  } catch {
    return { error };
  }
  return { ...(flags ? { flags } : {}) };
}

describe('deploy --parallel', () => {
  it('takes a whole number of at least 1; 0, -1, 1.5 and two are refused naming the option', async () => {
    expect((await parse(['--parallel', '3', '--yes'])).flags?.parallel).toBe(3);
    expect((await parse(['--yes'])).flags?.parallel).toBeUndefined();
    for (const bad of ['0', '-1', '1.5', 'two']) {
      const r = await parse(['--parallel', bad]);
      expect(r.flags).toBeUndefined();
      expect(r.error).toContain('--parallel <n>');
      expect(r.error).toContain('a positive whole number is needed');
    }
  });

  it('--parallel wins over the site; the site over the default; a terminal question without --parallel is one at a time', () => {
    const site = { deploy: { parallelism: 6, proxmoxApiParallelism: 1 } };
    expect(deployParallelism({ parallel: 2 }, site, false)).toEqual({ services: 2, proxmoxApi: 1 });
    expect(deployParallelism({ parallel: 2 }, site, true)).toEqual({ services: 2, proxmoxApi: 1 });
    expect(deployParallelism({}, site, false)).toEqual({ services: 6, proxmoxApi: 1 });
    expect(deployParallelism({}, site, true)).toEqual({ services: 1, proxmoxApi: 1 });
    expect(deployParallelism({}, {}, false)).toEqual({ services: DEPLOY_PARALLELISM.services, proxmoxApi: DEPLOY_PARALLELISM.proxmoxApi });
    expect(DEPLOY_PARALLELISM).toEqual({ services: 4, proxmoxApi: 2 });
  });
});
