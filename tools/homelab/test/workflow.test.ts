import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { synthesizeThisSite, WORKSPACE_ROOT } from '@homelab/site/testing';
import { deployEnvNames, WORKFLOW_FILE, workflowText } from '../src/ci/workflow.ts';
import { TARGETS } from './workflow-targets.ts';

const synthesis = await synthesizeThisSite();
const committed = readFileSync(join(WORKSPACE_ROOT, WORKFLOW_FILE), 'utf8');
const wf = parse(committed);
const pkg = JSON.parse(readFileSync(join(WORKSPACE_ROOT, 'package.json'), 'utf8'));

type Step = { name?: string; run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string> };
const jobs = wf.jobs as Record<string, { 'runs-on': unknown; steps: Step[]; if?: string; env?: Record<string, string>; needs?: string[] }>;

describe('the operator workflow', () => {
  it('is the rendering of the current homelab (regenerate with tools/homelab/src/ci/workflow.ts)', () => {
    expect(committed).toBe(workflowText(synthesis));
  });

  it('has the shape GitHub Actions requires: triggers, and jobs with runs-on and steps of one kind each', () => {
    expect(Object.keys(wf.on).sort()).toEqual(['pull_request', 'push']);
    for (const [name, job] of Object.entries(jobs)) {
      expect(job['runs-on'], name).toBeDefined();
      expect(job.steps.length, name).toBeGreaterThan(0);
      for (const step of job.steps) expect(Number('run' in step) + Number('uses' in step), `${name}: ${JSON.stringify(step)}`).toBe(1);
      for (const need of job.needs ?? []) expect(Object.keys(jobs)).toContain(need);
    }
  });

  it('pins every action to a major version', () => {
    const uses = Object.values(jobs).flatMap((j) => j.steps.map((s) => s.uses).filter(Boolean)) as string[];
    for (const u of uses) expect(u).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });

  it('pull requests validate and plan only what changed, with the plan in the job summary', () => {
    const pr = jobs['validate-and-plan']!;
    expect(pr.if).toContain('pull_request');
    const runs = pr.steps.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/nx affected -t validate plan --base=origin\/\$\{\{ github.base_ref \}\} --head=HEAD/);
    expect(runs).toContain('GITHUB_STEP_SUMMARY');
  });

  it('main opens the changesets release PR with the repo\'s version script', () => {
    const step = jobs.release!.steps.find((s) => s.uses?.startsWith('changesets/action'))!;
    const script = String(step.with!.version).replace(/^npm run /, '');
    expect(pkg.scripts[script]).toContain('changeset version');
  });

  it('deploys on a self-hosted LAN runner, from the deployed tag to HEAD, then smoke-tests and moves the tag', () => {
    const deploy = jobs.deploy!;
    expect(deploy['runs-on']).toContain('self-hosted');
    const runs = deploy.steps.map((s) => s.run ?? '');
    const at = (re: RegExp) => runs.findIndex((r) => re.test(r));
    expect(at(/nx affected -t synth deploy --exclude-task-dependencies --base=\$\{\{ steps.base.outputs.ref \}\} --head=HEAD/)).toBeGreaterThan(-1);
    expect(at(/-t smoke/)).toBeGreaterThan(at(/-t synth deploy/));
    expect(at(/git tag -f deployed\/prod HEAD/)).toBeGreaterThan(at(/-t smoke/));
  });

  it('gives the deploy job every variable any service needs, each from a secret of the same name', () => {
    const env = jobs.deploy!.env!;
    expect(Object.keys(env).sort()).toEqual(deployEnvNames(synthesis));
    for (const [k, v] of Object.entries(env)) expect(v).toBe(`\${{ secrets.${k} }}`);
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['PROXMOX_VE_ENDPOINT', 'PROXMOX_VE_API_TOKEN', 'CF_DNS_API_TOKEN']));
  });

  it('runs only Nx targets the plugin infers', () => {
    const all = Object.values(jobs).flatMap((j) => j.steps.map((s) => s.run ?? ''));
    for (const run of all) {
      for (const m of run.matchAll(/nx affected -t ([\w ]+?) --/g)) for (const t of m[1]!.split(' ')) expect(TARGETS).toContain(t);
    }
  });
});
