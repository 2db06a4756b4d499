import { describe, expect, it } from 'vitest';
import { brief, realTool, tempRoot, toolChecks, writeDist } from './helpers.ts';
import { RULES, TEST } from './prometheus-fixtures.ts';

const root = tempRoot('promtool');
const promtool = realTool('promtool');
const DIR = 'files/monitoring/opt/stacks/monitoring/prometheus';
const target = (path: string) => ({ host: 'monitoring', path: `/opt/stacks/monitoring/prometheus/${path}`, mode: '0644', owner: 'root' });

const CONFIG = `global: {scrape_interval: 30s}
rule_files: [/etc/prometheus/rules/*.yml]
scrape_configs:
  - job_name: node
    static_configs: [{targets: ['10.0.0.1:9100']}]
`;

function dist(service: string, files: { config?: string; rules?: string; test?: string }): string {
  return writeDist(root, service, {
    ...(files.config !== undefined ? { [`${DIR}/prometheus.yml`]: files.config } : {}),
    ...(files.rules !== undefined ? { [`${DIR}/rules/homelab.yml`]: files.rules } : {}),
    ...(files.test !== undefined ? { [`${DIR}/tests/homelab.test.yml`]: files.test } : {}),
  }, [
    ...(files.config !== undefined ? [{ file: `${DIR}/prometheus.yml`, format: 'prometheus-config' as const, target: target('prometheus.yml') }] : []),
    ...(files.rules !== undefined ? [{ file: `${DIR}/rules/homelab.yml`, format: 'prometheus-rules' as const, target: target('rules/homelab.yml') }] : []),
    ...(files.test !== undefined ? [{ file: `${DIR}/tests/homelab.test.yml`, format: 'prometheus-rules-test' as const, target: target('tests/homelab.test.yml') }] : []),
  ]);
}

describe.skipIf(promtool.skip)(`promtool (real)${promtool.suffix}`, () => {
  it('promtool check config: passes a valid config (--syntax-only, with a note) and fails a bad one with promtool\'s message', async () => {
    const [ok] = await toolChecks(root, dist('config-ok', { config: CONFIG }), 'promtool check config');
    expect(ok).toMatchObject({ status: 'passed', ok: true, problems: [], tool: 'promtool' });
    expect(ok!.notes.join()).toContain('--syntax-only');

    const [bad] = await toolChecks(root, dist('config-bad', { config: CONFIG.replace('30s', 'thirty seconds') }), 'promtool check config');
    expect(bad).toMatchObject({ status: 'failed', ok: false });
    expect(bad!.problems[0]).toMatchObject({ source: `dist/config-bad/${DIR}/prometheus.yml`, code: 'PromtoolCheckFailed' });
    expect(bad!.problems[0]!.message).toContain('thirty seconds');
  });

  it('promtool check rules: passes valid rules and fails a broken PromQL expression, naming it', async () => {
    const [ok] = await toolChecks(root, dist('rules-ok', { rules: RULES }), 'promtool check rules');
    expect(ok).toMatchObject({ status: 'passed', problems: [] });

    const [bad] = await toolChecks(root, dist('rules-bad', { rules: RULES.replace('== 0', '== (0') }), 'promtool check rules');
    expect(bad!.status).toBe('failed');
    expect(brief(bad!)).toEqual(['PromtoolCheckFailed: promtool check rules rejected the file:']);
    expect(bad!.problems[0]!.message).toMatch(/parse error|unclosed|expected/i);
  });

  it('promtool test rules: resolves ../rules/ from the test file in the service layout; a wrong expectation fails', async () => {
    const [ok] = await toolChecks(root, dist('test-ok', { rules: RULES, test: TEST }), 'promtool test rules');
    expect(ok).toMatchObject({ status: 'passed', problems: [] });

    const [bad] = await toolChecks(root, dist('test-bad', { rules: RULES, test: TEST.replace('severity: critical,', 'severity: warning,') }), 'promtool test rules');
    expect(bad!.status).toBe('failed');
    expect(bad!.problems[0]).toMatchObject({ code: 'PromtoolTestFailed', source: `dist/test-bad/${DIR}/tests/homelab.test.yml` });
    expect(bad!.problems[0]!.message).toContain('NodeDown');
  });
});
