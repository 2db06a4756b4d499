/** The validation summary as data (`validate --json`, and inside `plan --json`); no timings. */
import { isToolCheck, type Problem } from '@homelab/core';
import type { ValidationSummary } from '../commands/validate.ts';

export interface ValidationDocument {
  readonly ok: boolean;
  readonly checks: number;
  readonly passed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly cachedServices: number;
  /** Why no real validator ran (HOMELAB_VALIDATE_TOOLS=off), else null. */
  readonly toolsOff: string | null;
  readonly byCheck: Readonly<Record<string, { passed: number; failed: number; skipped: number }>>;
  readonly problems: readonly Problem[];
  readonly warnings: readonly Problem[];
}

export function validationDocument(summary: ValidationSummary): ValidationDocument {
  const byCheck: Record<string, { passed: number; failed: number; skipped: number }> = {};
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const c of summary.checks) {
    const status = isToolCheck(c) ? c.status : c.ok ? 'passed' : 'failed';
    (byCheck[c.check] ??= { passed: 0, failed: 0, skipped: 0 })[status]++;
    totals[status]++;
  }
  return {
    ok: summary.problems.length === 0,
    checks: summary.checks.length,
    ...totals,
    cachedServices: summary.cachedServices,
    toolsOff: 'off' in summary.tools ? summary.tools.off : null,
    byCheck: Object.fromEntries(Object.entries(byCheck).sort(([a], [b]) => a.localeCompare(b))),
    problems: summary.problems,
    warnings: summary.warnings,
  };
}
