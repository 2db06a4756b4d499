/**
 * The committed operator workflow (.github/workflows/homelab.yml), parsed and held to each
 * requirement: the generator's output byte for byte, bash (pipefail) for every run step, state
 * outside the checkout, OpenTofu set up, secrets only in the step that deploys, deploy only after
 * the changesets version PR is merged, and the Nx cache kept between runs.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { STATE_ENV } from '@homelab/core';
import { synthesizeThisSite, WORKSPACE_ROOT } from '@homelab/site/testing';
import { deployEnvNames, DRIFT_SCHEDULE, driftEnvNames, WORKFLOW_FILE, workflowText } from '../src/ci/workflow.ts';
import { TARGETS } from './workflow-targets.ts';

const synthesis = await synthesizeThisSite();
const committed = readFileSync(join(WORKSPACE_ROOT, WORKFLOW_FILE), 'utf8');
const wf = parse(committed);
const pkg = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8'));

type Step = { name?: string; id?: string; run?: string; uses?: string; shell?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
interface Job {
  'runs-on': unknown; steps: Step[]; if?: string; env?: Record<string, string>; needs?: string[];
  outputs?: Record<string, string>; defaults?: { run?: { shell?: string } };
}
const jobs = wf.jobs as Record<string, Job>;
const allSteps = Object.entries(jobs).flatMap(([job, j]) => j.steps.map((step) => ({ job, step })));
const stepIndex = (job: Job, test: (s: Step) => boolean) => job.steps.findIndex(test);
const runsNx = (s: Step) => /\bnx\b/.test(s.run ?? '');

/**
 * Evaluates the small subset of GitHub's expression language the workflow's `if:`s use:
 * `<context path> == '<literal>'` joined by `&&`, alternatives by `||`. Anything else throws, so a rewrite of a
 * condition into another form fails here instead of passing untested.
 */
function evaluateIf(expression: string, context: Record<string, string>): boolean {
  return expression.split('||').some((alternative) => alternative.split('&&').every((term) => {
    const m = /^\s*([\w.-]+)\s*==\s*'([^']*)'\s*$/.exec(term);
    if (!m) throw new Error(`cannot evaluate ${JSON.stringify(term)} of ${JSON.stringify(expression)}`);
    if (!(m[1]! in context)) throw new Error(`no value for ${m[1]} in the scenario`);
    return context[m[1]!] === m[2];
  }));
}

describe('the operator workflow', () => {
  it('is the rendering of the current homelab (regenerate with tools/homelab/src/ci/workflow.ts)', () => {
    expect(committed).toBe(workflowText(synthesis));
  });

  it('has the shape GitHub Actions requires: triggers, and jobs with runs-on and steps of one kind each', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push', 'schedule', 'workflow_dispatch']);
    for (const [name, job] of Object.entries(jobs)) {
      expect(job['runs-on'], name).toBeDefined();
      expect(job.steps.length, name).toBeGreaterThan(0);
      for (const step of job.steps) expect(Number('run' in step) + Number('uses' in step), `${name}: ${JSON.stringify(step)}`).toBe(1);
      for (const need of job.needs ?? []) expect(Object.keys(jobs)).toContain(need);
    }
  });

  it('pins every action to a major version', () => {
    const uses = allSteps.map(({ step }) => step.uses).filter(Boolean) as string[];
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });
});

describe('every run step is bash, so a failing command piped into tee fails its step', () => {
  it('sets bash as the default shell, and no job or step chooses another', () => {
    expect(wf.defaults).toEqual({ run: { shell: 'bash' } });
    for (const [name, job] of Object.entries(jobs)) expect(job.defaults?.run?.shell ?? 'bash', name).toBe('bash');
    for (const { job, step } of allSteps) expect(step.shell ?? 'bash', `${job}: ${step.name ?? step.run}`).toBe('bash');
  });

  it('the validate step, run the way GitHub runs `shell: bash`, fails when validate fails (and GitHub\'s default would not)', () => {
    const step = jobs['validate-and-plan']!.steps.find((s) => /-t validate/.test(s.run ?? ''))!;
    expect(step.run).toContain('| tee plan.txt');
    const dir = mkdtempSync(join(tmpdir(), 'wf-pipefail-'));
    try {
      // A stand-in for `npx` that fails like a validate with problems; `tee` and bash are real.
      writeFileSync(join(dir, 'npx'), '#!/bin/sh\necho "validate: 1 error"\nexit 1\n');
      chmodSync(join(dir, 'npx'), 0o755);
      const script = join(dir, 'step.sh');
      // GitHub expands ${{ }} before the shell sees the script.
      writeFileSync(script, step.run!.replaceAll('${{ github.base_ref }}', 'main'));
      const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
      // GitHub's documented command for `shell: bash` ...
      const bash = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd: dir, env, encoding: 'utf8' });
      expect(bash.status).toBe(1);
      expect(readFileSync(join(dir, 'plan.txt'), 'utf8')).toBe('validate: 1 error\n');
      // ... and its default when no shell is named, `bash -e {0}`: no pipefail, tee's status wins.
      const unnamed = spawnSync('bash', ['-e', script], { cwd: dir, env, encoding: 'utf8' });
      expect(unnamed.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the deploy state lives outside the checkout', () => {
  const deploy = jobs.deploy!;
  it('checks out with clean (it may delete anything in the workspace) and takes the state directory from a repository variable, never from the workspace or runner.temp', () => {
    const checkout = deploy.steps.find((s) => s.uses?.startsWith('actions/checkout'))!;
    expect(checkout.with?.clean ?? true).toBe(true);
    expect(deploy.env?.[STATE_ENV]).toBe(`\${{ vars.${STATE_ENV} }}`);
    const everywhere = JSON.stringify([wf.env, deploy.env, deploy.steps.map((s) => s.env)]);
    expect(everywhere).not.toMatch(/github\.workspace|runner\.temp/);
  });

  it('checks that the state is outside the checkout after checking out and before anything deploys', () => {
    const guard = stepIndex(deploy, (s) => s.run === 'npx tsx tools/homelab/src/ci/state-outside-checkout.ts');
    expect(guard).toBeGreaterThan(stepIndex(deploy, (s) => !!s.uses?.startsWith('actions/checkout')));
    expect(guard).toBeLessThan(stepIndex(deploy, (s) => /-t deploy/.test(s.run ?? '')));
  });
});

describe('OpenTofu is set up, at a pinned version, wherever Terraform JSON is validated or applied', () => {
  for (const [name, target] of [['validate-and-plan', /-t validate/], ['deploy', /-t deploy/]] as const) {
    it(`${name}: setup-opentofu with an exact version and without its output-rewriting wrapper, before ${target}`, () => {
      const job = jobs[name]!;
      const at = stepIndex(job, (s) => !!s.uses?.startsWith('opentofu/setup-opentofu@'));
      expect(at).toBeGreaterThan(-1);
      expect(String(job.steps[at]!.with?.tofu_version)).toMatch(/^\d+\.\d+\.\d+$/);
      expect(job.steps[at]!.with?.tofu_wrapper).toBe(false);
      expect(at).toBeLessThan(stepIndex(job, (s) => target.test(s.run ?? '')));
    });
  }
});

describe('secrets reach only the steps that use them', () => {
  const secretRef = /\$\{\{\s*secrets\./;
  it('no workflow-level or job-level env holds a secret', () => {
    expect(JSON.stringify(wf.env ?? {})).not.toMatch(secretRef);
    for (const [name, job] of Object.entries(jobs)) expect(JSON.stringify(job.env ?? {}), name).not.toMatch(secretRef);
  });

  it('the deploy step gets every variable any service needs, each from the secret of the same name', () => {
    const step = jobs.deploy!.steps.find((s) => /-t deploy/.test(s.run ?? ''))!;
    expect(Object.keys(step.env!).sort()).toEqual(deployEnvNames(synthesis));
    for (const [k, v] of Object.entries(step.env!)) expect(v).toBe(`\${{ secrets.${k} }}`);
    expect(Object.keys(step.env!)).toEqual(expect.arrayContaining(['PROXMOX_VE_ENDPOINT', 'PROXMOX_VE_API_TOKEN', 'CF_DNS_API_TOKEN']));
  });

  it('only the deploy step and the changesets step (its GITHUB_TOKEN) see any secret, and no command line names one', () => {
    const withSecrets = allSteps.filter(({ step }) => secretRef.test(JSON.stringify(step.env ?? {}))).map(({ job, step }) => `${job}: ${step.name}`);
    expect(withSecrets.sort()).toEqual(['deploy: Deploy what changed, in dependency order', 'drift: Drift: live guests and plans against the code', 'release: Version PR (changesets)']);
    expect(jobs.release!.steps.find((s) => s.id === 'changesets')!.env).toEqual({ GITHUB_TOKEN: '${{ secrets.GITHUB_TOKEN }}' });
    for (const { job, step } of allSteps) expect(`${step.run ?? ''}${JSON.stringify(step.with ?? {})}`, `${job}: ${step.name}`).not.toMatch(secretRef);
  });
});

describe('deploy runs once per release: after the changesets version PR is merged, not on every push', () => {
  const deploy = jobs.deploy!;
  const release = jobs.release!;

  it('release runs changesets/action with the repo\'s version script and reports whether changesets are pending', () => {
    const step = release.steps.find((s) => s.id === 'changesets')!;
    expect(step.uses).toMatch(/^changesets\/action@v1$/);
    const script = String(step.with!.version).replace(/^npm run /, '');
    expect(pkg.scripts[script]).toContain('changeset version');
    expect(release.outputs).toEqual({ hasChangesets: '${{ steps.changesets.outputs.hasChangesets }}' });
    expect(deploy.needs).toContain('release');
  });

  it.each([
    ['a push that brings changesets (the version PR is opened or updated)', 'push', 'true', false],
    ['the push that merges the version PR (no changeset left)', 'push', 'false', true],
    ['a pull request (release does not run)', 'pull_request', '', false],
  ])('%s: deploy %s', (_label, event, hasChangesets, deploys) => {
    expect(evaluateIf(deploy.if!, { 'github.event_name': event, 'needs.release.outputs.hasChangesets': hasChangesets })).toBe(deploys);
  });

  it('deploys what changed since the deployed tag with Nx (deploy brings synth and validate), confirmed with --yes, then smoke-tests and moves the tag', () => {
    const runs = deploy.steps.map((s) => s.run ?? '');
    const at = (re: RegExp) => runs.findIndex((r) => re.test(r));
    const deployAt = at(/^npx nx affected -t deploy --base=\$\{\{ steps\.base\.outputs\.ref \}\} --head=HEAD\b/);
    expect(deployAt).toBeGreaterThan(-1);
    expect(runs[deployAt]).toMatch(/ --yes\b/);
    // Excluding task dependencies would skip validate: nothing is applied that fails validation.
    expect(runs[deployAt]).not.toContain('--exclude-task-dependencies');
    expect(at(/-t smoke/)).toBeGreaterThan(deployAt);
    expect(at(/git tag -f deployed\/prod HEAD/)).toBeGreaterThan(at(/-t smoke/));
    expect(at(/refs\/tags\/deployed\/prod/)).toBeLessThan(deployAt);
  });
});

describe('the Nx cache is kept between runs', () => {
  const cacheDir = String(wf.env.NX_CACHE_DIRECTORY);
  const dataDir = String(wf.env.NX_WORKSPACE_DATA_DIRECTORY);

  it('Nx is told to keep its cache and task database in named workspace directories', () => {
    for (const dir of [cacheDir, dataDir]) expect(dir).toMatch(/^\.nx\/[\w-]+$/);
  });

  for (const [name, job] of Object.entries(jobs).filter(([, j]) => j.steps.some(runsNx))) {
    it(`${name}: restores both before the first Nx step, keyed by lockfile and commit, falling back to the newest of the same lockfile`, () => {
      const at = stepIndex(job, (s) => !!s.uses?.startsWith('actions/cache@'));
      expect(at).toBeGreaterThan(-1);
      expect(at).toBeLessThan(stepIndex(job, runsNx));
      const cache = job.steps[at]!.with as { path: string; key: string; 'restore-keys': string };
      expect(cache.path.split('\n').filter(Boolean)).toEqual([cacheDir, `${dataDir}/*.db*`]);
      expect(cache.key).toContain("hashFiles('package-lock.json')");
      expect(cache.key.endsWith('${{ github.sha }}')).toBe(true);
      const restore = cache['restore-keys'].trim();
      expect(cache.key.startsWith(restore)).toBe(true);
      expect(restore).not.toContain('github.sha');
    });
  }
});

describe('the commands it runs exist', () => {
  it('runs only Nx targets the plugin infers', () => {
    const all = allSteps.map(({ step }) => step.run ?? '');
    for (const run of all) {
      for (const m of run.matchAll(/nx affected -t ([\w ]+?) --/g)) for (const t of m[1]!.split(' ')) expect(TARGETS).toContain(t);
    }
  });
});

describe('drift runs on a schedule and fails the run when what runs differs from the code', () => {
  const drift = jobs.drift!;

  it.each([
    ['the daily schedule', 'schedule', true],
    ['a manual run', 'workflow_dispatch', true],
    ['a push', 'push', false],
    ['a pull request', 'pull_request', false],
  ])('%s: drift %s', (_label, event, runs) => {
    expect(evaluateIf(drift.if!, { 'github.event_name': event })).toBe(runs);
    // No other job runs on the schedule: the schedule never deploys.
    for (const [name, job] of Object.entries(jobs)) if (name !== 'drift' && event === 'schedule') expect(evaluateIf(job.if!, { 'github.event_name': event, 'needs.release.outputs.hasChangesets': 'false' }), name).toBe(false);
  });

  it('daily, on the self-hosted runner beside deploy (the API and the state), never while a deploy runs', () => {
    expect(wf.on.schedule).toEqual([{ cron: DRIFT_SCHEDULE }]);
    expect(drift['runs-on']).toEqual(jobs.deploy!['runs-on']);
    expect((drift as unknown as { concurrency: unknown }).concurrency).toEqual((jobs.deploy as unknown as { concurrency: unknown }).concurrency);
    expect(drift.env?.[STATE_ENV]).toBe(`\${{ vars.${STATE_ENV} }}`);
  });

  it('runs homelab drift through tee (bash pipefail keeps its exit 5), with only the infra variables, and puts the report in the summary', () => {
    const step = drift.steps.find((s) => /homelab drift/.test(s.run ?? ''))!;
    expect(step.run).toBe('npx homelab drift | tee drift.txt');
    expect(Object.keys(step.env!).sort()).toEqual(driftEnvNames(synthesis));
    expect(Object.keys(step.env!)).toEqual(expect.arrayContaining(['PROXMOX_VE_ENDPOINT', 'PROXMOX_VE_API_TOKEN', 'TF_VAR_ssh_public_key']));
    expect(Object.keys(step.env!)).not.toContain('CF_DNS_API_TOKEN');
    const summary = drift.steps.find((s) => /GITHUB_STEP_SUMMARY/.test(s.run ?? ''))!;
    expect(summary.if).toBe('always()');
    expect(summary.run).toContain('cat drift.txt');
    expect(stepIndex(drift, (s) => !!s.uses?.startsWith('opentofu/setup-opentofu@'))).toBeLessThan(stepIndex(drift, (s) => s === step));
  });

  it('the step, run the way GitHub runs `shell: bash`, fails with drift\'s exit 5', () => {
    const step = drift.steps.find((s) => /homelab drift/.test(s.run ?? ''))!;
    const dir = mkdtempSync(join(tmpdir(), 'wf-drift-'));
    try {
      writeFileSync(join(dir, 'npx'), '#!/bin/sh\necho "app  DRIFTED"\nexit 5\n');
      chmodSync(join(dir, 'npx'), 0o755);
      writeFileSync(join(dir, 'step.sh'), step.run!);
      const bash = spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', join(dir, 'step.sh')], { cwd: dir, env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
      expect(bash.status).toBe(5);
      expect(readFileSync(join(dir, 'drift.txt'), 'utf8')).toBe('app  DRIFTED\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
