/**
 * One process per tool over every service's files: what the batched run reports must be what a
 * run per service reported, each finding on its own service and file. The services below share
 * file paths on purpose (`files/pve1/...` in both), so only the service directory tells them apart.
 */
import { describe, expect, it } from 'vitest';
import { createExecaSpawner, type ToolCall, type ToolSpawner } from '../../../src/process/run-tool.ts';
import { runToolChecks, systemdBatches, type ToolProgress } from '../../../src/validate/index.ts';
import type { LaidOutArtifact } from '../../../src/validate/tools/layout.ts';
import { brief, realTool, tempRoot, writeDist } from './helpers.ts';
import { RULES, TEST } from './prometheus-fixtures.ts';

const root = tempRoot('batched');
const real = createExecaSpawner({ graceMs: 2_000, killAfterMs: 2_000 });

/** The real process boundary, with every call recorded. */
function recording(): { spawner: ToolSpawner; calls: ToolCall[] } {
  const calls: ToolCall[] = [];
  return { calls, spawner: (call, options) => { calls.push(call); return real(call, options); } };
}
const callsOf = (calls: readonly ToolCall[], label: string): ToolCall[] => calls.filter((c) => c.label === label);

const SCRIPT_OK = '#!/bin/sh\nset -eu\necho "ok"\n';
const SCRIPT_BAD = '#!/bin/bash\ncd /var/lib/homelab\necho ok\n';
const SCRIPT = 'files/pve1/usr/local/lib/homelab/check.sh';

function shellDist(service: string, text: string): string {
  return writeDist(root, service, { [SCRIPT]: text }, [
    { file: SCRIPT, format: 'shell', target: { host: 'pve1', path: '/usr/local/lib/homelab/check.sh', mode: '0755', owner: 'root' } },
  ]);
}

const RULES_DIR = 'files/monitoring/opt/prometheus';

function promDist(service: string, rules: string, test: string): string {
  return writeDist(root, service, { [`${RULES_DIR}/rules/homelab.yml`]: rules, [`${RULES_DIR}/tests/homelab.test.yml`]: test }, [
    { file: `${RULES_DIR}/rules/homelab.yml`, format: 'prometheus-rules' },
    { file: `${RULES_DIR}/tests/homelab.test.yml`, format: 'prometheus-rules-test' },
  ]);
}

const UNIT = '[Unit]\nDescription=Check\n\n[Service]\nType=oneshot\nExecStart=/bin/true\n';
function unitDist(service: string, host: string, name: string, text: string): string {
  const file = `files/${host}/etc/systemd/system/${name}`;
  return writeDist(root, service, { [file]: text }, [
    { file, format: 'systemd', target: { host, path: `/etc/systemd/system/${name}`, mode: '0644', owner: 'root' } },
  ]);
}

const shellcheck = realTool('shellcheck');
describe.skipIf(shellcheck.skip)(`shellcheck over two services in one run (real)${shellcheck.suffix}`, () => {
  it('one process for both; the finding is on the service whose script has it, not on the other with the same path', async () => {
    const { spawner, calls } = recording();
    const run = await runToolChecks([shellDist('sh-a', SCRIPT_OK), shellDist('sh-b', SCRIPT_BAD)], { root, spawner, tools: { 'ansible-lint': null } });
    expect(callsOf(calls, 'shellcheck -S warning')).toHaveLength(1);
    const checks = run.checks.filter((c) => c.check === 'shellcheck -S warning');
    expect(checks.map((c) => [c.source, c.status])).toEqual([
      [`dist/sh-a/${SCRIPT}`, 'passed'],
      [`dist/sh-b/${SCRIPT}`, 'failed'],
    ]);
    expect(brief(checks[1]!)).toEqual(["ShellcheckFinding line 2, column 1: SC2164 (warning): Use 'cd ... || exit' or 'cd ... || return' in case cd fails."]);
    expect(checks[1]!.problems[0]!.source).toBe(`dist/sh-b/${SCRIPT}`);
  });
});

const promtool = realTool('promtool');
describe.skipIf(promtool.skip)(`promtool over two services in one run per subcommand (real)${promtool.suffix}`, () => {
  it('check rules and test rules: one process each; a broken rule file and a failing test are blamed on their own service', async () => {
    const { spawner, calls } = recording();
    const run = await runToolChecks([
      promDist('prom-a', RULES.replace('== 0', '== (0'), TEST),
      promDist('prom-b', RULES, TEST.replace('severity: critical,', 'severity: warning,')),
      promDist('prom-c', RULES, TEST),
    ], { root, spawner });
    expect(callsOf(calls, 'promtool check rules')).toHaveLength(1);
    expect(callsOf(calls, 'promtool test rules')).toHaveLength(1);
    const rules = run.checks.filter((c) => c.check === 'promtool check rules');
    expect(rules.map((c) => [c.source, c.status])).toEqual([
      [`dist/prom-a/${RULES_DIR}/rules/homelab.yml`, 'failed'],
      [`dist/prom-b/${RULES_DIR}/rules/homelab.yml`, 'passed'],
      [`dist/prom-c/${RULES_DIR}/rules/homelab.yml`, 'passed'],
    ]);
    expect(brief(rules[0]!)).toEqual(['PromtoolCheckFailed: promtool check rules rejected the file:']);
    expect(rules[0]!.problems[0]!.message).toContain(`dist/prom-a/${RULES_DIR}/rules/homelab.yml`);
    expect(rules[0]!.problems[0]!.message).toMatch(/unclosed left parenthesis/);

    const tests = run.checks.filter((c) => c.check === 'promtool test rules');
    expect(tests.map((c) => [c.source, c.status, c.problems.map((p) => p.code)])).toEqual([
      // prom-a's test cannot load its (broken) rule file: that fails too, as it did alone.
      [`dist/prom-a/${RULES_DIR}/tests/homelab.test.yml`, 'failed', ['PromtoolTestFailed']],
      [`dist/prom-b/${RULES_DIR}/tests/homelab.test.yml`, 'failed', ['PromtoolTestFailed']],
      [`dist/prom-c/${RULES_DIR}/tests/homelab.test.yml`, 'passed', []],
    ]);
    expect(tests[1]!.problems[0]!.message).toContain('NodeDown');
    expect(tests[1]!.problems[0]!.message).not.toContain('prom-a');
    expect(tests[0]!.problems[0]!.message).toMatch(/unclosed left parenthesis/);
  });
});

const analyze = realTool('systemd-analyze');
describe.skipIf(analyze.skip)(`systemd-analyze verify over several hosts in one run (real)${analyze.suffix}`, () => {
  it('units of two services on different hosts go into one process; the bad setting is blamed on its own unit', async () => {
    const { spawner, calls } = recording();
    const run = await runToolChecks([
      unitDist('unit-a', 'h1', 'a-check.service', UNIT),
      unitDist('unit-b', 'h2', 'b-check.service', UNIT.replace('Type=oneshot', 'Type=oneshot\nRestart=sometimes')),
    ], { root, spawner });
    expect(callsOf(calls, 'systemd-analyze verify')).toHaveLength(1);
    const checks = run.checks.filter((c) => c.check === 'systemd-analyze verify');
    expect(checks.map((c) => [c.source, c.status])).toEqual([
      ['dist/unit-a/files/h1/etc/systemd/system/a-check.service', 'passed'],
      ['dist/unit-b/files/h2/etc/systemd/system/b-check.service', 'failed'],
    ]);
    expect(checks[1]!.problems[0]).toMatchObject({ code: 'SystemdVerifyFailed', path: 'line 6', source: 'dist/unit-b/files/h2/etc/systemd/system/b-check.service' });
  });

  it('hosts whose units share a name (or name each other) get runs of their own', async () => {
    const { spawner, calls } = recording();
    await runToolChecks([
      unitDist('same-a', 'h1', 'check.service', UNIT),
      unitDist('same-b', 'h2', 'check.service', UNIT),
    ], { root, spawner });
    expect(callsOf(calls, 'systemd-analyze verify')).toHaveLength(2);
  });
});

describe('systemdBatches', () => {
  const unit = (host: string, name: string): LaidOutArtifact => ({ path: `/tmp/x/${host}/${name}`, source: `dist/${host}/${name}`, record: { file: name, format: 'systemd', target: { host, path: `/etc/systemd/system/${name}`, mode: '0644', owner: 'root' } } } as unknown as LaidOutArtifact);
  it('merges hosts with distinct unit names that do not mention each other, and keeps the others apart', () => {
    const a = unit('h1', 'a.service');
    const aTimer = unit('h1', 'a.timer');
    const b = unit('h2', 'b.service');
    const a2 = unit('h3', 'a.service');
    const c = unit('h4', 'c.timer');
    const texts = new Map<LaidOutArtifact, string>([[a, UNIT], [aTimer, '[Timer]\nOnBootSec=1min\n'], [b, UNIT], [a2, UNIT], [c, '[Timer]\nUnit=b.service\n']]);
    const batches = systemdBatches([[a, aTimer], [b], [a2], [c]], texts);
    // h3 repeats a.service; h4's timer names h2's b.service.
    expect(batches.map((batch) => batch.map((g) => g[0]!.record.target!.host))).toEqual([['h1', 'h2'], ['h3', 'h4']]);
  });
});

describe('progress', () => {
  it('counts every file check, names the running processes and says when each check has finished', async () => {
    const events: ToolProgress[] = [];
    const ok: ToolSpawner = async () => ({ exitCode: 0, stdout: '', stderr: '', durationMs: 1 });
    const terraform = writeDist(root, 'progress-tf', { 'terraform/cdk.tf.json': JSON.stringify({ terraform: { backend: { local: { path: 'x.tfstate' } } } }) }, [
      { file: 'terraform/cdk.tf.json', format: 'terraform-json' },
    ]);
    await runToolChecks([shellDist('progress-a', SCRIPT_OK), shellDist('progress-b', SCRIPT_OK), promDist('progress-c', RULES, TEST), terraform], {
      root, spawner: ok, tools: { shellcheck: '/fake/shellcheck', promtool: '/fake/promtool', terraform: '/fake/terraform' }, onProgress: (p) => events.push(p),
    });
    expect(events.at(-1)).toMatchObject({ done: 5, total: 5, running: [] });
    expect(events.some((e) => e.running.includes('shellcheck -S warning'))).toBe(true);
    expect(events.filter((e) => e.finished).map((e) => [e.finished!.check, e.finished!.files, e.finished!.processes]).sort()).toEqual([
      ['promtool check rules', 1, 1],
      ['promtool test rules', 1, 1],
      ['shellcheck -S warning', 2, 1],
      // init (the local backend) and providers: both processes count for the check.
      ['terraform providers', 1, 2],
    ]);
  });
});
