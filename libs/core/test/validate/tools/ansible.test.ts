import { describe, expect, it } from 'vitest';
import { lintConfig, runToolChecks } from '../../../src/validate/index.ts';
import { brief, realTool, tempRoot, toolChecks, writeDist } from './helpers.ts';

const root = tempRoot('ansible');
const ansible = realTool('ansible-playbook');
const lint = realTool('ansible-lint');
// ansible-lint starts slowly (several seconds on a busy machine).
const SLOW = 180_000;

const INVENTORY = `all:
  hosts:
    dns:
      ansible_host: 192.168.86.10
      ansible_user: root
`;
const PLAYBOOK = `---
- name: Configure dns
  hosts: dns
  gather_facts: false
  tasks:
    - name: Install host packages
      ansible.builtin.apt:
        name: [dnsmasq]
        state: present
    - name: Install /etc/dnsmasq.conf
      ansible.builtin.copy:
        src: /srv/dist/dns/files/dns/etc/dnsmasq.conf
        dest: /etc/dnsmasq.conf
        owner: root
        group: root
        mode: "0644"
`;

/** The syntax tests do not need ansible-lint's slow start. */
const NO_LINT = { tools: { 'ansible-lint': null } } as const;

function dist(service: string, playbook: string, inventory = INVENTORY): string {
  return writeDist(root, service, { 'ansible/playbook.yml': playbook, 'ansible/inventory.yml': inventory }, [
    { file: 'ansible/inventory.yml', format: 'ansible-inventory' },
    { file: 'ansible/playbook.yml', format: 'ansible-playbook' },
  ]);
}

describe('ansible-lint configuration', () => {
  it('skips only the Galaxy publishing rules and warn-lists nothing', () => {
    expect(lintConfig()).toContain('skip_list: [galaxy, meta-incorrect, meta-no-info, meta-no-tags, meta-video-links, meta-runtime]');
    expect(lintConfig()).toContain('warn_list: []');
    expect(lintConfig()).toContain('offline: true');
  });
});

describe.skipIf(ansible.skip)(`ansible-playbook --syntax-check (real)${ansible.suffix}`, () => {
  it('passes a valid playbook with its inventory (both files get a check)', async () => {
    const checks = await toolChecks(root, dist('syntax-ok', PLAYBOOK), 'ansible-playbook --syntax-check', NO_LINT);
    expect(checks.map((c) => [c.file, c.status])).toEqual([['ansible/inventory.yml', 'passed'], ['ansible/playbook.yml', 'passed']]);
  });

  it('fails a playbook Ansible cannot parse, blaming the playbook with Ansible\'s message', async () => {
    const checks = await toolChecks(root, dist('syntax-bad', PLAYBOOK.replace('        mode: "0644"\n', '        mode: "0644"\n      bogus_keyword: 1\n')), 'ansible-playbook --syntax-check', NO_LINT);
    expect(checks.map((c) => [c.file, c.status])).toEqual([['ansible/inventory.yml', 'passed'], ['ansible/playbook.yml', 'failed']]);
    expect(brief(checks[1]!)[0]).toMatch(/^AnsibleSyntaxCheckFailed line \d+, column \d+: ansible-playbook --syntax-check rejected the playbook:$/);
    expect(checks[1]!.problems[0]!.message).toContain('conflicting action statements');
  });

  it('an inventory Ansible cannot parse fails (not a warning), and the inventory is blamed', async () => {
    const checks = await toolChecks(root, dist('inventory-bad', PLAYBOOK, 'all:\n  hosts:\n    - dns\n'), 'ansible-playbook --syntax-check', NO_LINT);
    expect(checks.map((c) => [c.file, c.status])).toEqual([['ansible/inventory.yml', 'failed'], ['ansible/playbook.yml', 'passed']]);
    expect(checks[0]!.problems[0]!.message).toContain('Completely failed to parse inventory source dist/inventory-bad/ansible/inventory.yml');
  });

  it('checks all services in one run, and on failure finds the broken one by running each alone', async () => {
    const run = await runToolChecks([dist('batch-a', PLAYBOOK), dist('batch-b', PLAYBOOK.replace('hosts: dns', 'hosts: [dns'))], { root, concurrency: 2, tools: { 'ansible-lint': null } });
    const syntax = run.checks.filter((c) => c.check === 'ansible-playbook --syntax-check', NO_LINT);
    expect(syntax.map((c) => [c.source, c.status])).toEqual([
      ['dist/batch-a/ansible/inventory.yml', 'passed'],
      ['dist/batch-a/ansible/playbook.yml', 'passed'],
      ['dist/batch-b/ansible/inventory.yml', 'passed'],
      ['dist/batch-b/ansible/playbook.yml', 'failed'],
    ]);
  });
});

describe.skipIf(lint.skip)(`ansible-lint --offline (real)${lint.suffix}`, () => {
  it('passes a clean playbook', async () => {
    const [check] = await toolChecks(root, dist('lint-ok', PLAYBOOK), 'ansible-lint');
    expect(check).toMatchObject({ status: 'passed', problems: [] });
  }, SLOW);

  it('fails on rule violations (one problem per rule, with its lines), relative paths included', async () => {
    const playbook = `${PLAYBOOK}    - ansible.builtin.command: systemctl restart dnsmasq
    - name: Install /etc/hosts
      ansible.builtin.copy:
        src: "{{ playbook_dir }}/../files/dns/etc/hosts"
        dest: /etc/hosts
        mode: "0644"
`;
    const [check] = await toolChecks(root, dist('lint-bad', playbook), 'ansible-lint');
    expect(check!.status).toBe('failed');
    expect(brief(check!)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^AnsibleLintViolation line 17: name\[missing\]: /),
      expect.stringMatching(/^AnsibleLintViolation line 17: no-changed-when: /),
      expect.stringMatching(/^AnsibleLintViolation line 18: no-relative-paths: /),
    ]));
    expect(check!.problems[0]!.source).toBe('dist/lint-bad/ansible/playbook.yml');
  }, SLOW);

  it('one ansible-lint for two services after the batched syntax check: it does not repeat the check for the playbook that passed, and still reports the one that did not, on its own service', async () => {
    const run = await runToolChecks([dist('lint-pair-a', PLAYBOOK), dist('lint-pair-b', PLAYBOOK.replace('        mode: "0644"\n', '        mode: "0644"\n      bogus_keyword: 1\n'))], { root, concurrency: 2 });
    const checks = run.checks.filter((c) => c.check === 'ansible-lint');
    expect(checks.map((c) => [c.source, c.status])).toEqual([
      ['dist/lint-pair-a/ansible/playbook.yml', 'passed'],
      ['dist/lint-pair-b/ansible/playbook.yml', 'failed'],
    ]);
    // a's syntax-check phase was answered by the batched run (a note says so); b's went to the real ansible-playbook.
    expect(checks[0]!.notes.join()).toContain('answered by the batched ansible-playbook --syntax-check run');
    expect(checks[1]!.notes).toEqual([]);
    expect(brief(checks[1]!)[0]).toMatch(/^AnsibleLintViolation line \d+: syntax-check\[/);
    expect(checks[1]!.problems[0]!.source).toBe('dist/lint-pair-b/ansible/playbook.yml');
  }, SLOW);
});
