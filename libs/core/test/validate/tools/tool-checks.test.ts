import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SpawnOptions, ToolCall, ToolSpawner } from '../../../src/process/run-tool.ts';
import { createLimiter, isCi, runToolChecks, validateServiceDistWithTools } from '../../../src/validate/index.ts';
import { registry } from '../helpers.ts';
import { brief, tempRoot, writeDist } from './helpers.ts';

const root = tempRoot('tool-checks');

const SCRIPT = '#!/bin/sh\necho ok\n';
const RULES = 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n';

function dist(service: string): string {
  return writeDist(root, service, {
    'files/h/usr/local/bin/a.sh': SCRIPT,
    'files/h/usr/local/bin/b.sh': SCRIPT,
    'files/h/etc/prometheus/rules/a.yml': RULES,
    'files/h/etc/prometheus/rules/b.yml': RULES,
    'files/h/etc/prometheus/rules/c.yml': RULES,
    'files/h/etc/secret.env': 'TOKEN=hunter2\n',
  }, [
    { file: 'files/h/usr/local/bin/a.sh', format: 'shell', target: { host: 'h', path: '/usr/local/bin/a.sh', mode: '0755', owner: 'root' } },
    { file: 'files/h/usr/local/bin/b.sh', format: 'shell', target: { host: 'h', path: '/usr/local/bin/b.sh', mode: '0755', owner: 'root' } },
    { file: 'files/h/etc/prometheus/rules/a.yml', format: 'prometheus-rules' },
    { file: 'files/h/etc/prometheus/rules/b.yml', format: 'prometheus-rules' },
    { file: 'files/h/etc/prometheus/rules/c.yml', format: 'prometheus-rules' },
    { file: 'files/h/etc/secret.env', format: 'text', secret: true },
  ]);
}

const ok: ToolSpawner = async () => ({ exitCode: 0, stdout: '', stderr: '', durationMs: 1 });
const FAKE_TOOLS = { promtool: '/fake/promtool', shellcheck: '/fake/shellcheck' } as const;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile()).sort();
}

describe('isCi', () => {
  it.each([['true', true], ['1', true], ['yes', true], ['false', false], ['0', false], ['', false], [undefined, false]])('CI=%s → %s', (value, expected) => {
    expect(isCi(value === undefined ? {} : { CI: value })).toBe(expected);
  });
});

describe('a missing tool', () => {
  it('on a developer machine: the check is SKIPPED with a warning that names the tool and how to install it', async () => {
    const run = await runToolChecks([dist('missing-local')], { root, ci: false, tools: { promtool: null, shellcheck: '/fake/shellcheck' }, spawner: ok });
    const rules = run.checks.filter((c) => c.check === 'promtool check rules');
    expect(rules.map((c) => [c.status, c.ok])).toEqual([['skipped', true], ['skipped', true], ['skipped', true]]);
    expect(rules[0]!.problems).toEqual([{
      source: 'dist/missing-local/files/h/etc/prometheus/rules/a.yml', path: '', code: 'ToolMissing', severity: 'warning',
      message: 'promtool check rules was NOT run: promtool is not on PATH (skipped on this machine; CI fails instead)',
      fix: 'To run it, apt-get install prometheus (bash tools/ci/install-system-tools.sh).',
    }]);
  });

  it('in CI: the check FAILS with an error', async () => {
    const run = await runToolChecks([dist('missing-ci')], { root, env: { ...process.env, CI: 'true' }, tools: { promtool: null, shellcheck: '/fake/shellcheck' }, spawner: ok });
    const rules = run.checks.filter((c) => c.check === 'promtool check rules');
    expect(rules.map((c) => [c.status, c.ok])).toEqual([['failed', false], ['failed', false], ['failed', false]]);
    expect(brief(rules[0]!)).toEqual(['ToolMissing: promtool check rules was NOT run: promtool is not on PATH (CI: a missing validator fails the build)']);
  });
});

describe('the process pool and the layout', () => {
  it('runs at most `concurrency` tools at once, ONE shellcheck and one promtool check rules for both services, and only with PATH/HOME/locale from the environment', async () => {
    let active = 0;
    let peak = 0;
    const calls: { call: ToolCall; options: SpawnOptions }[] = [];
    const spawner: ToolSpawner = async (call, options) => {
      calls.push({ call, options });
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 20));
      active--;
      return { exitCode: 0, stdout: '', stderr: '', durationMs: 20 };
    };
    const env = { PATH: '/usr/bin:/bin', HOME: '/root', TF_LOG: 'trace', ANSIBLE_CONFIG: '/home/me/ansible.cfg', CI: '' };
    const run = await runToolChecks([dist('pool-a'), dist('pool-b')], { root, env, concurrency: 2, tools: FAKE_TOOLS, spawner, keepTemp: true });
    expect(peak).toBe(2);
    expect(run.processes).toBe(calls.length);
    expect(calls.filter((c) => c.call.file === '/fake/shellcheck').map((c) => c.call.args)).toEqual([
      ['-S', 'warning', '-f', 'gcc', 'pool-a/files/h/usr/local/bin/a.sh', 'pool-a/files/h/usr/local/bin/b.sh', 'pool-b/files/h/usr/local/bin/a.sh', 'pool-b/files/h/usr/local/bin/b.sh'],
    ]);
    const rules = calls.filter((c) => c.call.label === 'promtool check rules');
    expect(rules).toHaveLength(1);
    // promtool through the fixed stderr-merging script, every rule file of both services by absolute path.
    expect(rules[0]!.call.file).toBe('/bin/sh');
    expect(rules[0]!.call.args.slice(0, 5)).toEqual(['-c', 'exec "$0" "$@" 2>&1', '/fake/promtool', 'check', 'rules']);
    expect(rules[0]!.call.args.slice(5).map((a) => a.slice(run.tempDir.length + 1))).toEqual(
      ['pool-a', 'pool-b'].flatMap((s) => ['a', 'b', 'c'].map((f) => `${s}/files/h/etc/prometheus/rules/${f}.yml`)),
    );
    expect(calls.every((c) => c.call.mutates === false && c.call.stream === false)).toBe(true);
    expect(calls[0]!.options.env).toEqual({ PATH: '/usr/bin:/bin', HOME: '/root', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', NO_COLOR: '1', TERM: 'dumb' });
    expect(run.checks.every((c) => c.status === 'passed')).toBe(true);
  });

  it('copies only checked artifacts (no secrets) into a temporary layout, removes it, and never writes into dist/', async () => {
    const dir = dist('layout');
    const before = listFiles(dir);
    let cwds: string[] = [];
    const spawner: ToolSpawner = async (call) => {
      cwds.push(call.cwd);
      cwds = [...new Set(cwds)];
      return { exitCode: 0, stdout: '', stderr: '', durationMs: 1 };
    };
    const run = await runToolChecks([dir], { root, tools: FAKE_TOOLS, spawner, keepTemp: true });
    expect(listFiles(path.join(run.tempDir, 'layout'))).toEqual([
      'files/h/etc/prometheus/rules/a.yml', 'files/h/etc/prometheus/rules/b.yml', 'files/h/etc/prometheus/rules/c.yml',
      'files/h/usr/local/bin/a.sh', 'files/h/usr/local/bin/b.sh',
    ]);
    expect(statSync(path.join(run.tempDir, 'layout/files/h/usr/local/bin/a.sh')).mode & 0o777).toBe(0o755);
    expect(cwds.every((c) => c.startsWith(run.tempDir))).toBe(true);
    expect(listFiles(dir)).toEqual(before);
    const removed = await runToolChecks([dir], { root, tools: FAKE_TOOLS, spawner });
    expect(() => statSync(removed.tempDir)).toThrow();
  });

  it('a tool that hangs is stopped at the timeout and the check fails (ToolFailedToRun), never passes', async () => {
    const spawner: ToolSpawner = (_call, { signal }) => new Promise((resolve) => {
      signal!.addEventListener('abort', () => resolve({ stdout: '', stderr: 'still thinking', durationMs: 50, interrupted: true, signal: 'SIGINT' }));
    });
    const run = await runToolChecks([dist('hang')], { root, tools: { ...FAKE_TOOLS, shellcheck: null }, spawner, timeoutMs: 50 });
    const rules = run.checks.filter((c) => c.check === 'promtool check rules');
    expect(rules.map((c) => c.status)).toEqual(['failed', 'failed', 'failed']);
    expect(brief(rules[0]!)).toEqual(['ToolFailedToRun: promtool check rules could not run (timed out after 0.05 s) without a verdict:']);
  });

  it('createLimiter runs at most n functions at once, in order', async () => {
    const limit = createLimiter(2);
    const log: string[] = [];
    await Promise.all([1, 2, 3, 4].map((n) => limit(async () => {
      log.push(`start ${n}`);
      await new Promise((r) => setTimeout(r, 5));
      log.push(`end ${n}`);
    })));
    expect(log.slice(0, 2)).toEqual(['start 1', 'start 2']);
    expect(log.indexOf('start 3')).toBeGreaterThan(log.findIndex((l) => l.startsWith('end')));
  });
});

describe('validateServiceDistWithTools', () => {
  it('lists, per file, its schema checks and then its tool checks', async () => {
    const dir = dist('merged');
    const checks = await validateServiceDistWithTools(dir, { root, registry, tools: FAKE_TOOLS, spawner: ok });
    expect(checks.map((c) => [c.file.replace('files/h/', ''), c.check])).toEqual([
      ['usr/local/bin/a.sh', 'no schema check'],
      ['usr/local/bin/a.sh', 'shellcheck -S warning'],
      ['usr/local/bin/b.sh', 'no schema check'],
      ['usr/local/bin/b.sh', 'shellcheck -S warning'],
      ['etc/prometheus/rules/a.yml', 'schema prometheus-rules'],
      ['etc/prometheus/rules/a.yml', 'promtool check rules'],
      ['etc/prometheus/rules/b.yml', 'schema prometheus-rules'],
      ['etc/prometheus/rules/b.yml', 'promtool check rules'],
      ['etc/prometheus/rules/c.yml', 'schema prometheus-rules'],
      ['etc/prometheus/rules/c.yml', 'promtool check rules'],
      ['etc/secret.env', 'no schema check'],
    ]);
  });
});
