/**
 * Deploy validates what it is about to deploy, in process, with the same checks as `homelab
 * validate` (schemas and the real offline tools): nothing is applied that would fail them.
 *
 * A service whose dist/ is current is validated there. A stale one (deploy rewrites it only
 * under its lock, and a dry run never) is synthesized into a temporary directory (removed
 * afterwards) and validated there, so deploy judges the files it will write, not the stale ones.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findSchemasDir, SCHEMAS_DIR_ENV, writeDist, type Problem, type SynthResult } from '@homelab/core';
import { CACHE_SWITCH } from './validation-cache.ts';
import { validateDist } from './validate.ts';

export interface DeployValidation {
  /** Errors: deploy refuses. */
  readonly problems: readonly Problem[];
  /** Checks this machine could not run (a validator not installed) and other warnings. */
  readonly warnings: readonly Problem[];
}

export interface DeployValidationOptions {
  readonly root: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Synth results whose dist/ differs from what is on disk and that a dry run did not write. */
  readonly stale?: readonly SynthResult[];
}

export async function validateForDeploy(services: readonly string[], options: DeployValidationOptions): Promise<DeployValidation> {
  const staleNames = new Set((options.stale ?? []).map((r) => r.service));
  const current = services.filter((s) => !staleNames.has(s));
  const summaries = [];
  if (current.length) summaries.push(await validateDist(options.root, current, options.env));
  if (staleNames.size) {
    const scratch = await mkdtemp(join(tmpdir(), 'homelab-deploy-validate-'));
    try {
      for (const result of options.stale ?? []) await writeDist(join(scratch, 'dist'), result);
      // The scratch root has no schemas folder and needs no cache of its own.
      const env = { ...options.env, [SCHEMAS_DIR_ENV]: findSchemasDir({ root: options.root, env: options.env }), [CACHE_SWITCH]: 'off' };
      summaries.push(await validateDist(scratch, [...staleNames], env));
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }
  return { problems: summaries.flatMap((s) => s.problems), warnings: summaries.flatMap((s) => s.warnings) };
}

/** One line per distinct warning (a missing validator is reported once, with how many files it skipped). */
export function formatDeployValidationWarnings(warnings: readonly Problem[]): string[] {
  const counts = new Map<string, number>();
  for (const w of warnings) {
    const key = `${w.code}: ${w.message}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([key, n]) => `warning ${key}${n > 1 ? ` [${n} files]` : ''}`);
}
