/** docs/policy.md and `homelab rules` cannot drift from the rules. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPolicyRules, POLICY_RULES, PROXMOX_PRIVILEGE_NEEDS } from '../src/index.ts';

const doc = readFileSync(new URL('../../../docs/policy.md', import.meta.url), 'utf8');
const row = (name: string) => doc.split('\n').find((l) => l.startsWith(`| \`${name}\` |`));

describe('docs/policy.md', () => {
  it.each(POLICY_RULES.map((r) => [r.name, r] as const))('rule %s has a row listing all its codes and its phase', (name, rule) => {
    const line = row(name);
    expect(line, `no row for ${name}`).toBeDefined();
    for (const code of rule.codes) expect(line).toContain(code);
    expect(line).toContain(rule.phase === 'rendered' ? '| rendered |' : '| model');
  });
  it('lists every privilege of the core table', () => {
    for (const privilege of Object.keys(PROXMOX_PRIVILEGE_NEEDS)) expect(doc).toMatch(new RegExp(`^\\| ${privilege.replace('.', '\\.')} \\|`, 'm'));
  });
});

describe('rules: stable names and codes', () => {
  it('rule names are kebab-case and unique; codes are PascalCase and owned by one rule', () => {
    const names = POLICY_RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z]+(-[a-z]+)*$/);
    const codes = POLICY_RULES.flatMap((r) => r.codes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^[A-Z][A-Za-z]+$/);
  });
  it('homelab rules prints every rule with its codes', () => {
    const text = formatPolicyRules(POLICY_RULES);
    expect(text.split('\n')[0]).toBe(`${POLICY_RULES.length} policy rules, ${POLICY_RULES.flatMap((r) => r.codes).length} codes`);
    for (const r of POLICY_RULES) expect(text).toContain(`  codes: ${r.codes.join(', ')}`);
  });
});
