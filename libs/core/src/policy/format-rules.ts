import type { PolicyRule } from './rule.ts';

/** `homelab rules`: every rule with what it enforces and the codes it reports, for a terminal. */
export function formatPolicyRules(rules: readonly PolicyRule[]): string {
  const codes = rules.reduce((n, r) => n + r.codes.length, 0);
  const lines = [`${rules.length} policy rules, ${codes} codes`];
  for (const r of rules) {
    lines.push('', `${r.name}${r.phase === 'rendered' ? ' (on rendered files and stacks)' : ''}`, `  ${r.description}`, `  codes: ${r.codes.join(', ')}`);
  }
  return lines.join('\n');
}
