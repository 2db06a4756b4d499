import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatProblems, validateServiceDist, type ArtifactCheck, type Problem } from '@homelab/core';
import { distRoot } from './context.ts';

export interface ValidationSummary {
  readonly checks: readonly ArtifactCheck[];
  readonly problems: readonly Problem[];
  readonly ms: number;
}

/** Checks every artifact of the given services' dist/ directories against its upstream definition. */
export async function validateDist(root: string, services: readonly string[]): Promise<ValidationSummary> {
  const started = performance.now();
  const perService = await Promise.all(services.map((s) => validateServiceDist(join(distRoot(root), s), { root })));
  const checks = perService.flat();
  return { checks, problems: checks.flatMap((c) => c.problems), ms: performance.now() - started };
}

/** One line per check kind with its counts, then the failures in the project's grammar. */
export function formatValidation(summary: ValidationSummary): string {
  const byCheck = new Map<string, { ok: number; failed: number }>();
  for (const c of summary.checks) {
    const entry = byCheck.get(c.check) ?? { ok: 0, failed: 0 };
    if (c.ok) entry.ok++;
    else entry.failed++;
    byCheck.set(c.check, entry);
  }
  const failedFiles = summary.checks.filter((c) => !c.ok).length;
  const lines = [`Validation: ${summary.checks.length} checks on generated files, ${failedFiles} failed (${(summary.ms / 1000).toFixed(2)} s)`];
  for (const [check, n] of [...byCheck].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${n.failed ? 'FAIL' : 'ok  '} ${check}: ${n.ok} passed${n.failed ? `, ${n.failed} failed` : ''}`);
  }
  if (summary.problems.length) lines.push('', formatProblems(summary.problems));
  return lines.join('\n');
}
