/**
 * Found by running the generated playbooks for real (ansible-lxc.test.ts): ansible-core runs a
 * notified handler whatever --skip-tags says, so `--skip-tags stack` still ran
 * `docker compose up --force-recreate`. Every handler now carries a condition on its own tag.
 */
import { describe, expect, it } from 'vitest';
import { buildHomelab, synthesizeSite } from '../../src/index.ts';
import { parse } from 'yaml';
import { entries, idp, proxy, testSite } from '../fixtures/test-site.ts';

describe('generated playbook handlers honour --tags / --skip-tags', () => {
  it('each handler runs only when its tag is selected and not skipped', () => {
    const withStack = { ...proxy, files: () => [{ path: '/opt/stacks/proxy/compose.yml', content: 'services: {}\n', mode: '0644', format: 'compose' as const }] };
    const result = synthesizeSite(buildHomelab(testSite, entries(withStack, idp))).results.find((r) => r.service === 'proxy')!;
    const plays = parse(result.files.get('ansible/playbook.yml')!) as { handlers?: { name: string; tags: string[]; when: string }[] }[];
    const handlers = plays.flatMap((p) => p.handlers ?? []);
    expect(handlers.length).toBeGreaterThan(0);
    for (const h of handlers) {
      const tag = h.tags[0]!;
      expect(h.when).toBe(`'${tag}' not in ansible_skip_tags and ('all' in ansible_run_tags or 'tagged' in ansible_run_tags or '${tag}' in ansible_run_tags)`);
    }
  });
});
