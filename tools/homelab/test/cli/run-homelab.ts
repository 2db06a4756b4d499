/**
 * Runs the `homelab` command the way a user does after `npm ci`: node_modules/.bin/homelab (the
 * tools package's bin, npm's link), as a real process, with a throwaway state directory.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const HOMELAB_BIN = join(REPO_ROOT, 'node_modules', '.bin', 'homelab');
/** A line of a Node stack trace: bad input must never print one. */
export const STACK_FRAME = /^\s+at\s.*(:\d+:\d+\)?|\(native\))$/m;

export interface HomelabRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function homelab(args: readonly string[], options: { cwd?: string; env?: Record<string, string | undefined> } = {}): Promise<HomelabRun> {
  const env: Record<string, string | undefined> = { ...process.env, HOMELAB_STATE_DIR: mkdtempSync(join(tmpdir(), 'homelab-cli-state-')), HOMELAB_DEBUG: '', ...options.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(HOMELAB_BIN, [...args], { cwd: options.cwd ?? REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
