/**
 * Shared by the tool-check tests: a dist/<service>/ writer and the rule for tools that are not
 * installed. Every test runs the real tool; without it the test is skipped with the reason in its
 * title and on stderr, except in CI (env CI set), where it runs and fails.
 */
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import type { ArtifactRecord, ServiceManifest } from '../../../src/synth/manifest.ts';
import { VALIDATOR_TOOLS, isCi, runToolChecks, type ToolCheck, type ToolCheckOptions, type ValidatorTool } from '../../../src/validate/index.ts';

export type Record_ = Omit<ArtifactRecord, 'sha256' | 'secret'> & { secret?: boolean };

/** A fresh root per test file, removed after it; problems name files relative to it. */
export function tempRoot(prefix: string): string {
  const root = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

/** Writes dist/<service>/ with the files and a manifest listing `records`; returns the directory. */
export function writeDist(root: string, service: string, files: Readonly<Record<string, string>>, records: readonly Record_[]): string {
  const dir = path.join(root, 'dist', service);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), content);
  }
  const manifest: ServiceManifest = {
    service, package: `@homelab/${service}`, version: '1.0.0', group: 'infra', kind: 'lxc', dependsOn: [], env: [],
    artifacts: records.map((r) => ({ secret: false, ...r, sha256: createHash('sha256').update(files[r.file] ?? '').digest('hex') })),
  };
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

/** Runs the tool checks on one service and returns the checks named `check`. */
export async function toolChecks(root: string, distDir: string, check: string, options: ToolCheckOptions = {}): Promise<ToolCheck[]> {
  const run = await runToolChecks([distDir], { root, concurrency: 2, ...options });
  return run.checks.filter((c) => c.check.startsWith(check));
}

function onPath(name: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    try {
      const file = path.join(dir, name);
      if (!statSync(file).isFile()) continue;
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      // not here
    }
  }
  return false;
}

export interface ToolAvailability {
  /** Skip the real-tool tests (tool missing and not in CI). */
  readonly skip: boolean;
  /** Appended to test titles: empty, or `[skipped: ...]`. */
  readonly suffix: string;
}

/** Whether tests with the real `tool` run here; says why not, once, on stderr. */
export function realTool(tool: ValidatorTool): ToolAvailability {
  const spec = VALIDATOR_TOOLS[tool];
  const available = spec.names.some(onPath);
  const skip = !available && !isCi(process.env);
  if (!skip) return { skip, suffix: '' };
  const reason = `${spec.names.join(' or ')} is not on PATH; to run these tests, ${spec.install} (in CI they fail instead)`;
  console.warn(`[skipped] ${tool} tests: ${reason}`);
  return { skip, suffix: ` [skipped: ${reason}]` };
}

/** Problems as `code path: first line of message`, for compact assertions. */
export function brief(check: ToolCheck): string[] {
  return check.problems.map((p) => `${p.severity === 'warning' ? 'warning ' : ''}${p.code}${p.path ? ` ${p.path}` : ''}: ${p.message.split('\n')[0]}`);
}
