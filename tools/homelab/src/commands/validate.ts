import { join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  formatProblems, isCi, isToolCheck, runToolChecks, validateServiceDist,
  type ArtifactCheck, type Problem, type ToolCheck, type ToolProgress, type ToolRun,
} from '@homelab/core';
import { distRoot } from './context.ts';
import { validationCache } from './validation-cache.ts';

/** `HOMELAB_VALIDATE_TOOLS=off` runs the schema checks only (a warning; an error in CI). */
export const TOOLS_SWITCH = 'HOMELAB_VALIDATE_TOOLS';

export interface ValidationSummary {
  readonly checks: readonly (ArtifactCheck | ToolCheck)[];
  /** Errors: any fails the command. */
  readonly problems: readonly Problem[];
  /** Printed, do not fail. */
  readonly warnings: readonly Problem[];
  readonly ms: number;
  readonly schemaMs: number;
  /** The tool run, or why there was none. */
  readonly tools: ToolRun | { readonly off: string };
  /** Services whose unchanged artifacts were validated before (validation-cache.ts). */
  readonly cachedServices: number;
}

/**
 * Checks every artifact of the given services' dist/ directories: against its upstream schema,
 * then with the real offline validators (docs/validation.md).
 */
export interface ValidateDistOptions {
  /** Progress of the tool run (validate-progress.ts). */
  readonly onProgress?: (progress: ToolProgress) => void;
}

export async function validateDist(root: string, services: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env, options: ValidateDistOptions = {}): Promise<ValidationSummary> {
  const started = performance.now();
  const switchValue = env[TOOLS_SWITCH]?.trim().toLowerCase();
  const toolsOff = switchValue === 'off' || switchValue === '0' || switchValue === 'false';
  const cache = validationCache(root, env);
  const cached = new Map<string, readonly (ArtifactCheck | ToolCheck)[]>();
  if (cache) for (const s of services) { const hit = await cache.get(s); if (hit) cached.set(s, hit); }
  const fresh = services.filter((s) => !cached.has(s));
  const dir = (s: string) => join(distRoot(root), s);
  const schemaStarted = performance.now();
  const schemaChecks = Promise.all(fresh.map((s) => validateServiceDist(dir(s), { root })));
  const toolRun = !toolsOff && fresh.length ? runToolChecks(fresh.map(dir), { root, env, ...(options.onProgress ? { onProgress: options.onProgress } : {}) }) : undefined;
  const perService = await schemaChecks;
  const schemaMs = performance.now() - schemaStarted;
  const tools = await toolRun;
  const freshChecks = fresh.map((s, i) => [
    ...perService[i]!,
    ...(tools?.checks ?? []).filter((c) => c.source.startsWith(`${relative(root, dir(s)).split(sep).join('/')}/`)),
  ]);
  if (cache) await Promise.all(fresh.map((s, i) => cache.put(s, freshChecks[i]!)));
  const checks = [...services.flatMap((s) => cached.get(s) ?? []), ...freshChecks.flat()];
  // Tools off says so even when every service came from the cache (its entries are keyed by the switch).
  const result = { schemaMs, tools: toolsOff ? undefined : tools ?? (fresh.length ? undefined : { checks: [], processes: 0, concurrency: 0, ms: 0, tempDir: '', tools: {} }) };
  const all: Problem[] = checks.flatMap((c) => c.problems);
  if (toolsOff) {
    all.push({
      source: TOOLS_SWITCH, path: '', code: 'ToolChecksDisabled',
      message: `the real validators (terraform, promtool, amtool, ansible, nginx, wg, shellcheck, systemd-analyze) were NOT run: ${TOOLS_SWITCH}=${env[TOOLS_SWITCH]}`,
      fix: `Unset ${TOOLS_SWITCH} to run them.`,
      ...(isCi(env) ? {} : { severity: 'warning' as const }),
    });
  }
  return {
    checks,
    cachedServices: cached.size,
    problems: all.filter((p) => (p.severity ?? 'error') === 'error'),
    warnings: all.filter((p) => p.severity === 'warning'),
    ms: performance.now() - started,
    schemaMs: result.schemaMs,
    tools: result.tools ?? { off: `${TOOLS_SWITCH}=${env[TOOLS_SWITCH]}` },
  };
}

type Status = 'passed' | 'failed' | 'skipped';

function statusOf(c: ArtifactCheck | ToolCheck): Status {
  return isToolCheck(c) ? c.status : c.ok ? 'passed' : 'failed';
}

/**
 * One line per check kind with its counts; then the notes (where a check did less than its
 * name says), the skipped checks and why, the warnings grouped, and the failures in full.
 */
export function formatValidation(summary: ValidationSummary): string {
  const byCheck = new Map<string, { passed: number; failed: number; skipped: number; warned: number }>();
  for (const c of summary.checks) {
    const entry = byCheck.get(c.check) ?? { passed: 0, failed: 0, skipped: 0, warned: 0 };
    entry[statusOf(c)]++;
    if (statusOf(c) === 'passed' && c.problems.some((p) => p.severity === 'warning')) entry.warned++;
    byCheck.set(c.check, entry);
  }
  const count = (s: Status): number => summary.checks.filter((c) => statusOf(c) === s).length;
  const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const tools = 'off' in summary.tools
    ? `tools OFF (${summary.tools.off})`
    : `tools ${seconds(summary.tools.ms)}, ${summary.tools.processes} processes, ${summary.tools.concurrency} at a time`;
  const fromCache = summary.cachedServices ? `; ${summary.cachedServices} unchanged service${summary.cachedServices === 1 ? '' : 's'} from the validation cache` : '';
  const lines = [
    `Validation: ${summary.checks.length} checks on generated files${fromCache}, ${count('failed')} failed, ${count('skipped')} skipped (${seconds(summary.ms)}: schemas ${seconds(summary.schemaMs)}, ${tools})`,
  ];
  for (const [check, n] of [...byCheck].sort(([a], [b]) => a.localeCompare(b))) {
    const tag = n.failed ? 'FAIL' : n.skipped ? 'SKIP' : n.warned ? 'warn' : 'ok  ';
    const parts = [`${n.passed} passed${n.warned ? ` (${n.warned} with warnings)` : ''}`, n.failed ? `${n.failed} failed` : '', n.skipped ? `${n.skipped} skipped` : ''].filter(Boolean);
    lines.push(`  ${tag} ${check}: ${parts.join(', ')}`);
  }

  const notes = grouped(summary.checks.filter(isToolCheck).flatMap((c) => c.notes.map((note) => ({ key: `${c.check}: ${note}`, source: c.source }))));
  if (notes.length) {
    lines.push('', 'Notes (where a check did less than its name says):');
    for (const n of notes) lines.push(`  ${n.key}${n.sources.length > 1 ? ` [${n.sources.length} files]` : ` [${n.sources[0]}]`}`);
  }

  const skipped = summary.checks.filter((c) => statusOf(c) === 'skipped');
  if ('off' in summary.tools) lines.push('', `Skipped: NO tool check ran (${summary.tools.off}); CI fails on this.`);
  if (skipped.length) {
    lines.push('', `Skipped: ${skipped.length} check${skipped.length === 1 ? '' : 's'} did NOT run on this machine (CI fails on these):`);
    for (const s of grouped(skipped.flatMap((c) => c.problems.filter((p) => p.code === 'ToolMissing').map((p) => ({ key: `${p.message.replace(/ \(skipped.*$/, '')}. ${p.fix}`, source: p.source }))))) {
      lines.push(`  ${s.key} [${s.sources.length} file${s.sources.length === 1 ? '' : 's'}]`);
    }
  }

  const warnings = grouped(summary.warnings.filter((w) => w.code !== 'ToolMissing').map((w) => ({ key: `${w.code}: ${w.message}`, source: `${w.source}${w.path ? ` (${w.path})` : ''}`, fix: w.fix })));
  if (warnings.length) {
    lines.push('', `Warnings (${summary.warnings.length}, do not fail):`);
    for (const w of warnings) {
      lines.push(`  ${w.key}`, `      ${w.sources.length > 1 ? `in ${w.sources.length} files, e.g. ${w.sources[0]}` : `in ${w.sources[0]}`}`, `      fix: ${w.fix}`);
    }
  }
  if (summary.problems.length) lines.push('', formatProblems(summary.problems));
  return lines.join('\n');
}

/** Same key → one entry listing where it occurs, in first-seen order. */
function grouped(items: readonly { key: string; source: string; fix?: string }[]): { key: string; sources: string[]; fix?: string }[] {
  const map = new Map<string, { key: string; sources: string[]; fix?: string }>();
  for (const item of items) {
    const entry = map.get(item.key) ?? { key: item.key, sources: [], ...(item.fix ? { fix: item.fix } : {}) };
    if (!entry.sources.includes(item.source)) entry.sources.push(item.source);
    map.set(item.key, entry);
  }
  return [...map.values()];
}
