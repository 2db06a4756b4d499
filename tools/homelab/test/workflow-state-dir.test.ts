/**
 * The deploy job's check that deploy records and Terraform state are outside the checkout
 * (src/ci/state-outside-checkout.ts): actions/checkout cleans the workspace of a self-hosted
 * runner on every run.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '@homelab/core';
import { WORKSPACE_ROOT } from '@homelab/site/testing';
import { stateDirs, stateInsideCheckoutProblems } from '../src/ci/state-outside-checkout.ts';

const WS = '/srv/runner/_work/homelab/homelab';

describe('stateInsideCheckoutProblems', () => {
  it.each([
    ['the default (~/.local/state/homelab of the runner user)', { HOME: '/home/runner' }],
    ['HOMELAB_STATE_DIR outside', { HOMELAB_STATE_DIR: '/var/lib/homelab' }],
    ['HOMELAB_STATE_DIR empty (an unset repository variable): the default', { HOMELAB_STATE_DIR: '', HOME: '/home/runner' }],
    ['a sibling whose name starts like the workspace', { HOMELAB_STATE_DIR: `${WS}-state` }],
    ['HOMELAB_TF_STATE_DIR outside', { HOMELAB_STATE_DIR: '/var/lib/homelab', HOMELAB_TF_STATE_DIR: '/var/lib/tfstate' }],
  ])('passes %s', (_label, env) => {
    expect(stateInsideCheckoutProblems(env, WS)).toEqual([]);
  });

  it.each([
    ['HOMELAB_STATE_DIR inside the workspace', { HOMELAB_STATE_DIR: `${WS}/.homelab-state` }, /deploy state directory .*\/\.homelab-state \(\$HOMELAB_STATE_DIR\) is inside the checkout/],
    ['HOMELAB_STATE_DIR the workspace itself', { HOMELAB_STATE_DIR: WS }, /deploy state directory .* is inside the checkout/],
    ['XDG_STATE_HOME inside the workspace', { XDG_STATE_HOME: `${WS}/.state` }, /deploy state directory .*\/\.state\/homelab/],
    ['HOME inside the workspace', { HOME: `${WS}/home` }, /deploy state directory/],
    ['HOMELAB_TF_STATE_DIR inside the workspace', { HOMELAB_STATE_DIR: '/var/lib/homelab', HOMELAB_TF_STATE_DIR: `${WS}/tfstate` }, /Terraform state directory .*\/tfstate \(\$HOMELAB_TF_STATE_DIR\) is inside the checkout/],
  ])('fails %s, naming the directory, the variable and the fix', (_label, env, message) => {
    const problems = stateInsideCheckoutProblems(env, WS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
    expect(problems[0]).toMatch(/Fix: /);
  });

  it('reports both at once when both are inside', () => {
    expect(stateInsideCheckoutProblems({ HOMELAB_STATE_DIR: `${WS}/s`, HOMELAB_TF_STATE_DIR: `${WS}/t` }, WS)).toHaveLength(2);
  });

  it('follows deploy: a relative HOMELAB_TF_STATE_DIR is under the state directory', () => {
    expect(stateDirs({ HOMELAB_STATE_DIR: '/var/lib/homelab', HOMELAB_TF_STATE_DIR: 'tf' })).toEqual({ state: '/var/lib/homelab', terraformState: '/var/lib/homelab/tf' });
  });
});

describe('the script the deploy job runs', () => {
  const script = join(WORKSPACE_ROOT, 'tools/homelab/src/ci/state-outside-checkout.ts');
  const run = (env: Record<string, string>) => spawnSync(join(WORKSPACE_ROOT, 'node_modules/.bin/tsx'), [script], {
    cwd: WORKSPACE_ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/home/runner', GITHUB_WORKSPACE: WS, ...env },
  });

  it('exits 4 (setup) with the problem when the state is inside $GITHUB_WORKSPACE', () => {
    const r = run({ HOMELAB_STATE_DIR: `${WS}/.homelab-state` });
    expect(r.status).toBe(EXIT.setup);
    expect(r.stderr).toMatch(/^error: the deploy state directory .*\.homelab-state/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it('exits 0 and says where the state is when it is outside', () => {
    const r = run({});
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('deploy state: /home/runner/.local/state/homelab\n');
  }, 60_000);
});
